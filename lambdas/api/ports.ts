/** The ports the HTTP API acts through: the stack grants the API function exactly their actions. */
export const API_PORTS = ['store', 'workflow', 'preflight', 'clock', 'events'] as const;
