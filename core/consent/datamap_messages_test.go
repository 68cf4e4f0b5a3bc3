package consent

import (
	"testing"

	"github.com/multisaude/multisaude/core/messaging/chat"
)

// The retention chat's purge applies is the one the data map declares.
func TestMessageClassesMatchChat(t *testing.T) {
	care, ok1 := Class(ClassCareMessages)
	order, ok2 := Class(ClassOrderMessages)
	if !ok1 || !ok2 {
		t.Fatal("message classes missing")
	}
	if care.RetentionYears != chat.CareRetentionYears || order.RetentionYears != chat.OrderRetentionYears {
		t.Fatalf("data map %d/%d years, chat %d/%d", care.RetentionYears, order.RetentionYears, chat.CareRetentionYears, chat.OrderRetentionYears)
	}
	if care.OnErasure != EraseBlock || !care.Sensitive || order.OnErasure != EraseDelete {
		t.Fatalf("rules: %+v %+v", care, order)
	}
}
