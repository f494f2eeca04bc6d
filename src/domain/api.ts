/**
 * Where the HTTP API lives (SPEC section 4): the server mounts its routes here and the CLI asks
 * a running daemon here, so the prefix is written once, below both.
 */
export const API_PREFIX = '/api/system/cleanup';
