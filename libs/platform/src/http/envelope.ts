/** Every JSON answer of the API: `{"status":"ok"|"error","message"?,"data"?}`. */
export interface Envelope<T = unknown> {
  status: 'ok' | 'error';
  message?: string;
  data?: T;
  errors?: FieldError[];
}

export interface FieldError {
  path: string;
  message: string;
}

/** A handler result that is a sentence rather than data, e.g. "client updated successfully". */
export class OkMessage {
  constructor(readonly message: string) {}
}
