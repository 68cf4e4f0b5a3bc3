package wire

import (
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Topics lists every queue topic the application's workers consume, each
// once. A deployment that creates its queues itself (the SAM template, with
// MULTISAUDE_SQS_REQUIRE_EXISTING=true) creates one queue per topic and one for
// its dead letters (ports.DeadLetter); events of other topics (such as
// identity.patient.registered) have no reader and the SQS adapter drops them
// in that mode. The Lambda worker's test checks that the workers consume
// exactly these.
func Topics() []string {
	return []string{
		scheduling.TopicBooked, scheduling.TopicRescheduled, scheduling.TopicCancelled, scheduling.TopicCompleted,
		scheduling.TopicNoShow, scheduling.TopicModeChanged, scheduling.TopicReminderDue, scheduling.TopicCancelledWithPrice,
		clinical.TopicEvaluationSigned, clinical.TopicEmergencyAccess,
		commerce.TopicOrderExpire, commerce.TopicOrderCancelled, commerce.TopicPaymentChanged,
		commerce.TopicPartnerEvent, commerce.TopicWebhookAttempt, commerce.TopicPrescriptionDispensed,
		consent.TopicExportRequested, consent.TopicExportExpire, consent.TopicErasureRequested,
		consent.TopicRetentionPurge, consent.TopicAuditDigest,
	}
}
