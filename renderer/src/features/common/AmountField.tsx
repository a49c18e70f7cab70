import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { amountProblem } from '../../../../shared/format';

/**
 * A money amount input that says, beside the field and with its label, why what was typed is not an
 * amount (−100, 0, "abc", "12,5") instead of only disabling the button (issue 20).
 */
export function AmountField({
  label,
  value,
  onChange,
  allowZero,
  disabled,
  required,
  placeholder = '0.00',
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  allowZero?: boolean;
  disabled?: boolean;
  required?: boolean;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const problem = value.trim() === '' ? null : amountProblem(value, { allowZero });
  return (
    <label className="amount-field">
      {label}
      <input
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        disabled={disabled}
        required={required}
        // Named by the label alone (the reason inside the label element is its description, not its name).
        aria-label={label}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? id : undefined}
      />
      {problem && (
        <span id={id} className="field-error" role="alert">
          {t(`common.amount.${problem}`, { label })}
        </span>
      )}
    </label>
  );
}
