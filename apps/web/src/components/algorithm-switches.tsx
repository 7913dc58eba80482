import { Switch } from './switch';

interface AlgorithmSwitchesProps {
  clientName: string;
  algorithms: Record<string, boolean>;
  busy: boolean;
  onSwitch: (algorithm: string, on: boolean) => void;
}

/** One switch per algorithm of the catalogue: on means one pod must run for it. */
export function AlgorithmSwitches({ clientName, algorithms, busy, onSwitch }: AlgorithmSwitchesProps) {
  return (
    <div class="switches" role="group" aria-label={`Algorithms of ${clientName}`}>
      {Object.entries(algorithms).map(([algorithm, on]) => (
        <Switch
          key={algorithm}
          label={algorithm}
          describedAs={`${algorithm} of ${clientName}`}
          on={on}
          disabled={busy}
          onToggle={(next) => onSwitch(algorithm, next)}
        />
      ))}
    </div>
  );
}
