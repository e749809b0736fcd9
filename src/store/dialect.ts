/** The two databases ttsync runs on (ARCHITECTURE.md §2). */
export type Dialect = 'sqlite' | 'postgres';
