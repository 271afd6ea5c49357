import { useEffect, useId, useRef, useState } from 'react';
import { uploadForm } from '../api/client';
import { ApiError } from '../api/errors';
import { attachProfileFile, createUploadUrl, type FileKind, type ProfileData } from '../api/profiles';
import { useI18n } from '../i18n/i18n';
import { ErrorBanner, ProgressBar } from '../ui/ui';

const ACCEPT: Record<FileKind, string> = {
  PHOTO: 'image/jpeg,image/png,image/webp',
  CV: 'application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,.pdf,.docx',
};
const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
const typeOf = (f: File) => f.type || BY_EXTENSION[f.name.split('.').pop()?.toLowerCase() ?? ''] || 'application/octet-stream';

type Phase =
  | { step: 'idle' }
  | { step: 'uploading'; progress: number }
  | { step: 'checking' }
  | { step: 'done' }
  | { step: 'error'; error: unknown };

/** Photo or CV: a signed upload target, the upload with its progress, then the server's check and attachment. */
export function FileUpload({
  kind,
  profile,
  onAttached,
  onBusy,
}: {
  kind: FileKind;
  profile: ProfileData;
  onAttached: (p: ProfileData) => void;
  /** True when an upload starts, false when it ends (the profile's version moves meanwhile). */
  onBusy?: (busy: boolean) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [preview, setPreview] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );

  const send = async (file: File) => {
    const contentType = typeOf(file);
    if (kind === 'PHOTO') setPreview(URL.createObjectURL(file));
    setPhase({ step: 'uploading', progress: 0 });
    onBusy?.(true);
    try {
      const target = await createUploadUrl(kind, contentType, file.size);
      await uploadForm({ url: target.url, fields: JSON.parse(target.fields) as Record<string, string> }, file, (progress) =>
        setPhase({ step: 'uploading', progress }),
      );
      setPhase({ step: 'checking' });
      onAttached(await attachProfileFile(target.key));
      setPhase({ step: 'done' });
      setPreview(null);
    } catch (error) {
      setPhase({ step: 'error', error });
      setPreview(null);
    } finally {
      onBusy?.(false);
    }
  };
  const pick = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void send(file);
    if (input.current) input.current.value = '';
  };
  const busy = phase.step === 'uploading' || phase.step === 'checking';
  const label = kind === 'PHOTO' ? t('files.photo') : t('files.cv');
  const fieldError = phase.step === 'error' && phase.error instanceof ApiError ? phase.error : null;
  return (
    <div
      className={`upload${dragging ? ' upload--drag' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (!busy) pick(e.dataTransfer.files);
      }}
    >
      <h3 className="upload__title">{label}</h3>
      <div className="upload__preview">
        {kind === 'PHOTO' ? (
          preview || profile.photo ? (
            <img src={preview ?? profile.photo!.thumb} alt={t('files.photoAlt')} width={128} height={128} />
          ) : (
            <div className="avatar avatar--empty" aria-hidden="true">
              {(profile.firstName[0] ?? '') + (profile.lastName[0] ?? '')}
            </div>
          )
        ) : profile.cv ? (
          <p>
            <a href={profile.cv.url} target="_blank" rel="noreferrer">
              {profile.cv.fileName}
            </a>{' '}
            <span className="muted">
              ({i18n.bytes(profile.cv.size)}, {i18n.date(profile.cv.uploadedAt)})
            </span>
          </p>
        ) : (
          <p className="muted">{t('files.noCv')}</p>
        )}
      </div>
      <p className="hint" id={`${id}-hint`}>
        {kind === 'PHOTO' ? t('files.photoHint') : t('files.cvHint')}
      </p>
      <input
        ref={input}
        id={id}
        className="sr-only"
        type="file"
        accept={ACCEPT[kind]}
        aria-describedby={`${id}-hint`}
        disabled={busy}
        onChange={(e) => pick(e.target.files)}
      />
      <label htmlFor={id} className={`button${busy ? ' button--disabled' : ''}`}>
        {kind === 'PHOTO'
          ? profile.photo
            ? t('files.replacePhoto')
            : t('files.choosePhoto')
          : profile.cv
            ? t('files.replaceCv')
            : t('files.chooseCv')}
      </label>
      <div aria-live="polite">
        {phase.step === 'uploading' && <ProgressBar value={phase.progress} label={t('files.uploading', { what: label })} />}
        {phase.step === 'checking' && <p className="muted">{t('files.checking')}</p>}
        {phase.step === 'done' && <p className="success">{t('files.done')}</p>}
      </div>
      {phase.step === 'error' && <ErrorBanner error={fieldError ?? phase.error} />}
    </div>
  );
}
