import { type ReactNode, useId } from 'react'

interface TitledSectionProps {
  title: string
  heading?: 'h2' | 'h3'
  children: ReactNode
}

/** A section labelled by its heading, which makes it a named region that screen readers can jump to. */
export function TitledSection({ title, heading: Heading = 'h2', children }: TitledSectionProps) {
  const headingId = useId()
  return (
    <section className="section" aria-labelledby={headingId}>
      <Heading id={headingId} className="section-title">
        {title}
      </Heading>
      {children}
    </section>
  )
}
