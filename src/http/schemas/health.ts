/** Schema of `GET /health`. */
import { Type } from '@sinclair/typebox';

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false, description: 'The service can serve.' });
