package chat

// RetentionStore: see store.go. (Filled by the LGPD part.)
type RetentionStore interface{}
