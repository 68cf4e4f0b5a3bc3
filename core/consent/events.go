package consent

// Topics consent publishes and consumes (each has one consumer).
const (
	TopicExportRequested  = "consent.export.requested"  // build an export archive
	TopicExportExpire     = "consent.export.expire"     // delete an export after its TTL (scheduled)
	TopicErasureRequested = "consent.erasure.requested" // carry out an erasure decision
	TopicRetentionPurge   = "consent.retention.purge"   // daily: purge clinical records past retention (scheduled)
	TopicAuditDigest      = "consent.audit.digest"      // daily: write the audit trail's digest (scheduled)
)
