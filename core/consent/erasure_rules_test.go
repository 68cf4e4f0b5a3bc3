package consent

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 15, 0, 0, 0, time.UTC) }

func TestDecideErasureEveryClassEveryKind(t *testing.T) {
	now := day(2026, 11, 30)
	facts := ErasureFacts{LastClinicalEntry: day(2025, 3, 10), LastOrderAt: day(2024, 6, 1), LastPaymentAt: day(2019, 1, 1),
		LastCareMessageAt: day(2025, 4, 1), LastOrderMessageAt: day(2025, 5, 1), Now: now}
	want := map[SubjectKind]map[string]ErasureAction{
		SubjectPatient: {
			ClassAccount: ActionAnonymiseNow, ClassClinical: ActionBlockUntil, ClassAppointments: ActionBlockUntil,
			ClassOrders: ActionRetainUntil, ClassPayments: ActionAnonymiseNow, ClassNotifications: ActionDeleteNow,
			ClassMarketing: ActionDeleteNow, ClassConsents: ActionKeep, ClassAudit: ActionKeep, ClassExports: ActionDeleteNow,
			ClassIncidents: ActionKeep, ClassCareMessages: ActionBlockUntil, ClassOrderMessages: ActionDeleteNow,
		},
		SubjectProfessional: {
			ClassAccount: ActionAnonymiseNow, ClassNotifications: ActionDeleteNow, ClassConsents: ActionKeep, ClassAudit: ActionKeep,
			ClassProfessional: ActionAnonymiseNow, ClassExports: ActionDeleteNow, ClassIncidents: ActionKeep,
		},
		SubjectCompany: {
			ClassAccount: ActionAnonymiseNow, ClassNotifications: ActionDeleteNow, ClassConsents: ActionKeep, ClassAudit: ActionKeep,
			ClassCompanyStaff: ActionAnonymiseNow, ClassExports: ActionDeleteNow, ClassIncidents: ActionKeep,
		},
	}
	for kind, classes := range want {
		t.Run(string(kind), func(t *testing.T) {
			f := facts
			f.Kind = kind
			got := DecideErasure(DataClasses(), f)
			if len(got) != len(classes) {
				t.Fatalf("%d decisions, want %d: %+v", len(got), len(classes), got)
			}
			for _, d := range got {
				w, ok := classes[d.Class]
				if !ok {
					t.Errorf("class %s decided for %s", d.Class, kind)
					continue
				}
				if d.Action != w {
					t.Errorf("%s: %s, want %s", d.Class, d.Action, w)
				}
				if d.Explanation == "" || d.Name == "" {
					t.Errorf("%s: no explanation", d.Class)
				}
				if (d.Action == ActionBlockUntil || d.Action == ActionRetainUntil) == d.Until.IsZero() {
					t.Errorf("%s: until %v with %s", d.Class, d.Until, d.Action)
				}
			}
		})
	}
}

func decision(t *testing.T, ds []ErasureDecision, class string) ErasureDecision {
	t.Helper()
	for _, d := range ds {
		if d.Class == class {
			return d
		}
	}
	t.Fatalf("no decision for %s", class)
	return ErasureDecision{}
}

func TestDecideErasureEdges(t *testing.T) {
	cases := []struct {
		name   string
		facts  ErasureFacts
		class  string
		action ErasureAction
		until  time.Time
		cites  string
	}{
		{"clinical within 20 years is blocked", ErasureFacts{LastClinicalEntry: day(2020, 5, 4), Now: day(2026, 11, 30)},
			ClassClinical, ActionBlockUntil, day(2040, 5, 4), "Lei 13.787/2018"},
		{"clinical one second before 20 years is blocked", ErasureFacts{LastClinicalEntry: day(2006, 11, 30), Now: day(2026, 11, 30).Add(-time.Second)},
			ClassClinical, ActionBlockUntil, day(2026, 11, 30), "Lei 13.787/2018"},
		{"clinical exactly 20 years is deleted", ErasureFacts{LastClinicalEntry: day(2006, 11, 30), Now: day(2026, 11, 30)},
			ClassClinical, ActionDeleteNow, time.Time{}, "Lei 13.787/2018"},
		{"clinical older than 20 years is deleted", ErasureFacts{LastClinicalEntry: day(1990, 1, 1), Now: day(2026, 11, 30)},
			ClassClinical, ActionDeleteNow, time.Time{}, "terminou"},
		{"no clinical record at all", ErasureFacts{Now: day(2026, 11, 30)},
			ClassClinical, ActionDeleteNow, time.Time{}, "não há registro"},
		{"appointments follow the record", ErasureFacts{LastClinicalEntry: day(2020, 5, 4), Now: day(2026, 11, 30)},
			ClassAppointments, ActionBlockUntil, day(2040, 5, 4), "bloqueados"},
		{"clinical on 29 February into a common year", ErasureFacts{LastClinicalEntry: day(2080, 2, 29), Now: day(2090, 1, 1)},
			ClassClinical, ActionBlockUntil, day(2100, 3, 1), "01/03/2100"},
		{"clinical on 29 February into a leap year", ErasureFacts{LastClinicalEntry: day(2012, 2, 29), Now: day(2026, 11, 30)},
			ClassClinical, ActionBlockUntil, day(2032, 2, 29), "29/02/2032"},
		{"order within 5 years is retained", ErasureFacts{LastOrderAt: day(2024, 6, 1), Now: day(2026, 11, 30)},
			ClassOrders, ActionRetainUntil, day(2029, 6, 1), "CTN"},
		{"order on 29 February", ErasureFacts{LastOrderAt: day(2024, 2, 29), Now: day(2026, 11, 30)},
			ClassOrders, ActionRetainUntil, day(2029, 3, 1), "01/03/2029"},
		{"order exactly 5 years is anonymised", ErasureFacts{LastOrderAt: day(2021, 11, 30), Now: day(2026, 11, 30)},
			ClassOrders, ActionAnonymiseNow, time.Time{}, "CTN"},
		{"no order", ErasureFacts{Now: day(2026, 11, 30)}, ClassOrders, ActionAnonymiseNow, time.Time{}, "nenhum"},
		{"payment within 5 years is retained", ErasureFacts{LastPaymentAt: day(2026, 1, 2), Now: day(2026, 11, 30)},
			ClassPayments, ActionRetainUntil, day(2031, 1, 2), "CTN"},
		{"payments follow their own date, not the orders'", ErasureFacts{LastOrderAt: day(2026, 1, 2), LastPaymentAt: day(2020, 1, 2), Now: day(2026, 11, 30)},
			ClassPayments, ActionAnonymiseNow, time.Time{}, "CTN"},
		{"account", ErasureFacts{Now: day(2026, 11, 30)}, ClassAccount, ActionAnonymiseNow, time.Time{}, "art. 18"},
		{"notifications", ErasureFacts{Now: day(2026, 11, 30)}, ClassNotifications, ActionDeleteNow, time.Time{}, "art. 18"},
		{"marketing", ErasureFacts{Now: day(2026, 11, 30)}, ClassMarketing, ActionDeleteNow, time.Time{}, "eliminados"},
		{"consents kept as proof", ErasureFacts{Now: day(2026, 11, 30)}, ClassConsents, ActionKeep, time.Time{}, "art. 8º"},
		{"audit kept as proof", ErasureFacts{Now: day(2026, 11, 30)}, ClassAudit, ActionKeep, time.Time{}, "identificadores"},
		{"care messages are blocked 20 years after the last message", ErasureFacts{LastCareMessageAt: day(2026, 11, 1), Now: day(2026, 11, 30)},
			ClassCareMessages, ActionBlockUntil, day(2046, 11, 1), "prontuário"},
		{"care messages follow their own last message, not the record's", ErasureFacts{LastClinicalEntry: day(2026, 1, 1), LastCareMessageAt: day(2006, 11, 30), Now: day(2026, 11, 30)},
			ClassCareMessages, ActionDeleteNow, time.Time{}, "terminou"},
		{"care messages one second before 20 years are blocked", ErasureFacts{LastCareMessageAt: day(2006, 11, 30), Now: day(2026, 11, 30).Add(-time.Second)},
			ClassCareMessages, ActionBlockUntil, day(2026, 11, 30), "Lei 13.787/2018"},
		{"care messages on 29 February", ErasureFacts{LastCareMessageAt: day(2024, 2, 29), Now: day(2026, 11, 30)},
			ClassCareMessages, ActionBlockUntil, day(2044, 2, 29), "29/02/2044"},
		{"no care conversation", ErasureFacts{LastClinicalEntry: day(2026, 1, 1), Now: day(2026, 11, 30)},
			ClassCareMessages, ActionDeleteNow, time.Time{}, "não há conversas"},
		{"order messages are erased at once, even recent ones", ErasureFacts{LastOrderAt: day(2026, 11, 29), LastOrderMessageAt: day(2026, 11, 29), Now: day(2026, 11, 30)},
			ClassOrderMessages, ActionDeleteNow, time.Time{}, "apagados agora"},
		{"no order conversation", ErasureFacts{Now: day(2026, 11, 30)}, ClassOrderMessages, ActionDeleteNow, time.Time{}, "não há conversas"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.facts.Kind = SubjectPatient
			d := decision(t, DecideErasure(DataClasses(), c.facts), c.class)
			if d.Action != c.action {
				t.Fatalf("action %s, want %s (%s)", d.Action, c.action, d.Explanation)
			}
			if !d.Until.Equal(c.until) {
				t.Errorf("until %v, want %v", d.Until, c.until)
			}
			if !strings.Contains(d.Explanation, c.cites) {
				t.Errorf("explanation %q lacks %q", d.Explanation, c.cites)
			}
		})
	}
}

func TestDecideErasureIsPure(t *testing.T) {
	f := ErasureFacts{Kind: SubjectPatient, LastClinicalEntry: day(2020, 1, 1), LastOrderAt: day(2025, 1, 1), Now: day(2026, 11, 30)}
	a, b := DecideErasure(DataClasses(), f), DecideErasure(DataClasses(), f)
	if len(a) != len(b) {
		t.Fatal("two calls differ")
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("two calls differ at %d", i)
		}
	}
}
