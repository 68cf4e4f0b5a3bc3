// Package consent owns what LGPD asks of the platform beyond each context's
// own rules: the consent ledger and its terms, data-subject requests (export,
// erasure), the sharing report, the tamper-evident audit trail, the incident
// register and the record of processing activities (generated from DataClasses).
package consent
