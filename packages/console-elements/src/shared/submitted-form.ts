/** A submitted form and readers of its fields. */
export interface SubmittedForm {
  form: HTMLFormElement;
  data: FormData;
  /** The field's text, trimmed; '' when the field is missing or empty. */
  text: (name: string) => string;
}

/**
 * Stops a form's own submission (the elements submit through the client) and
 * returns the form with readers of its fields.
 *
 * @example
 * ```ts
 * const { form, text } = submittedForm(event);
 * await api.agents.enroll({ name: text('name'), kind: text('kind') });
 * form.reset();
 * ```
 */
export function submittedForm(event: SubmitEvent): SubmittedForm {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const data = new FormData(form);
  return { form, data, text: (name) => String(data.get(name) ?? '').trim() };
}
