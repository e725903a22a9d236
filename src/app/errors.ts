/** The screens' way to turn a caught error into one bounded sentence (defined in core/errors.ts). */
export { errorText } from '../core/errors.ts';
