interface SwitchProps {
  label: string;
  on: boolean;
  /** Spoken and shown as the tooltip, e.g. "VWAP of acme". */
  describedAs?: string;
  disabled?: boolean;
  onToggle: (on: boolean) => void;
}

/** An on/off button (role switch), operable with the keyboard like any button. */
export function Switch({ label, on, describedAs, disabled = false, onToggle }: SwitchProps) {
  return (
    <button
      type="button"
      role="switch"
      class="switch"
      aria-checked={on}
      aria-label={describedAs ?? label}
      title={describedAs}
      disabled={disabled}
      onClick={() => onToggle(!on)}
    >
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      <span class="switch-label">{label}</span>
    </button>
  );
}
