package chatsql_test

import (
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestConversationStore(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			conformance.RunChatStore(t, func(t *testing.T) chat.ConversationStore { return chatsql.New(testdb.Open(t, d)) })
		})
	}
}
