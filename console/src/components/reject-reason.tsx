/**
 * The reason a finance user gives for a rejection: the same field on a cycle's review and a correction's,
 * with its required-reason error tied to it for screen readers.
 */
import { useI18n } from '../i18n';

export function RejectReasonField(props: {
  id: string;
  reason: string;
  missing: boolean;
  disabled: boolean;
  onInput: (reason: string) => void;
}) {
  const { t } = useI18n();
  const { id, reason, missing, disabled } = props;
  return (
    <div class="field">
      <label for={`${id}-reason`}>{t('rejectReason')}</label>
      <textarea
        id={`${id}-reason`}
        rows={2}
        value={reason}
        maxLength={1000}
        aria-invalid={missing}
        aria-describedby={missing ? `${id}-reason-error` : undefined}
        disabled={disabled}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {missing && (
        <p id={`${id}-reason-error`} class="field-error" role="alert">
          {t('reasonRequired')}
        </p>
      )}
    </div>
  );
}
