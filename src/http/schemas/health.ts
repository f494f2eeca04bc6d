/** Schema of `GET /health`. */
import { Type } from '@sinclair/typebox';

/** No parameters: anything else is a typo worth a 400, not a silent 200. */
export const HealthQuerySchema = Type.Object({}, { additionalProperties: false });

export const HealthSchema = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false, description: 'The service can serve.' });
