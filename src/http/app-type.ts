import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';

/**
 * The Fastify instance routes are registered on: with the TypeBox type provider, `req.body`, `req.query`
 * and `req.params` are typed from the route's schema, so handlers need no casts. Get one from a plain
 * instance with `typed(app)`.
 */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const typed = (app: FastifyInstance): App => app.withTypeProvider<TypeBoxTypeProvider>();
