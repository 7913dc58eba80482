import type { ComponentChildren } from 'preact';

interface SectionProps {
  title: string;
  /** Controls shown at the right of the title. */
  actions?: ComponentChildren;
  children: ComponentChildren;
}

/** A titled card; its heading labels it for screen readers. */
export function Section({ title, actions, children }: SectionProps) {
  const headingId = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <header class="card-header">
        <h2 id={headingId}>{title}</h2>
        {actions !== undefined && <div class="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
