import type { LinkType } from '../api/profiles';

const PATHS: Record<LinkType, { color: string; d: string }> = {
  LINKEDIN: {
    color: '#0a66c2',
    d: 'M4 6h3v10H4zM5.5 2a1.7 1.7 0 1 1 0 3.4 1.7 1.7 0 0 1 0-3.4zM9 6h3v1.4c.5-.9 1.6-1.6 3.1-1.6 3 0 3.9 1.8 3.9 4.6V16h-3v-5c0-1.3-.3-2.3-1.6-2.3-1.4 0-2.4 1-2.4 2.5V16H9z',
  },
  GITHUB: {
    color: '#1f2328',
    d: 'M10 1.5a8.5 8.5 0 0 0-2.7 16.6c.4 0 .6-.2.6-.4v-1.5c-2.4.5-2.9-1-2.9-1-.4-1-1-1.3-1-1.3-.8-.5 0-.5 0-.5.9 0 1.3.9 1.3.9.8 1.3 2 1 2.5.7 0-.6.3-1 .6-1.2-1.9-.2-3.9-1-3.9-4.2 0-.9.3-1.7.9-2.3-.1-.2-.4-1.1 0-2.3 0 0 .8-.2 2.4.9a8 8 0 0 1 4.2 0c1.6-1.1 2.3-.9 2.3-.9.5 1.2.2 2.1.1 2.3.6.6.9 1.4.9 2.3 0 3.3-2 4-3.9 4.2.3.3.6.8.6 1.6v2.3c0 .2.2.5.6.4A8.5 8.5 0 0 0 10 1.5z',
  },
  MALT: { color: '#fc5757', d: 'M3 15V5h2.6L10 10.5 14.4 5H17v10h-2.6V9.3L10 14.6 5.6 9.3V15z' },
  WEBSITE: {
    color: '#0f766e',
    d: 'M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm5.7 7h-2.6a12 12 0 0 0-1-4.5A6 6 0 0 1 15.7 9zM10 4.1c.7 1 1.3 2.8 1.4 4.9H8.6C8.7 6.9 9.3 5 10 4.1zM7.9 4.5a12 12 0 0 0-1 4.5H4.3a6 6 0 0 1 3.6-4.5zM4.3 11h2.6c.1 1.7.4 3.2 1 4.5A6 6 0 0 1 4.3 11zm5.7 4.9c-.7-1-1.3-2.8-1.4-4.9h2.8c-.1 2.1-.7 3.9-1.4 4.9zm2.1-.4c.6-1.3.9-2.8 1-4.5h2.6a6 6 0 0 1-3.6 4.5z',
  },
  PORTFOLIO: { color: '#7c3aed', d: 'M7 3h6v2h4v11H3V5h4zm2 2h2V4.9H9zM5 8v6h10V8z' },
  OTHER: {
    color: '#57606a',
    d: 'M8.5 11.5 11.5 8.5M7 9 5.2 10.8a2.6 2.6 0 0 0 3.7 3.7L10.7 13M13 11l1.8-1.8a2.6 2.6 0 0 0-3.7-3.7L9.3 7',
  },
};

/** The mark of a link's site; decorative (the type is always written next to it). */
export function LinkIcon({ type }: { type: LinkType }) {
  const { color, d } = PATHS[type];
  const stroke = type === 'OTHER';
  return (
    <svg className="link-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        d={d}
        fill={stroke ? 'none' : color}
        stroke={stroke ? color : 'none'}
        strokeWidth={stroke ? 1.8 : 0}
        strokeLinecap="round"
      />
    </svg>
  );
}
