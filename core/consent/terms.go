package consent

import "time"

// Term is one version of the text a data subject accepts for a purpose.
type Term struct {
	Purpose     string
	Version     string
	Title       string // pt-BR
	Summary     string // pt-BR, one paragraph
	Text        string // pt-BR, the whole term
	LegalBasis  string // pt-BR
	PublishedAt time.Time
}

// Terms returns the current version of every purpose's term (the ledger part
// fills this in; the record of processing activities reads it).
func Terms() []Term { return nil }
