package kernel

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error so that adapters can map it to a status without
// inspecting messages.
type Kind string

// The error kinds. httpapi maps each one to exactly one HTTP status.
const (
	KindInvalid         Kind = "invalid"         // bad input; carries field errors
	KindUnprocessable   Kind = "unprocessable"   // well-formed input breaking a domain rule (422)
	KindNotFound        Kind = "not_found"       // no such object, or the caller may not know it exists
	KindConflict        Kind = "conflict"        // the object's state forbids the change (taken slot, duplicate)
	KindForbidden       Kind = "forbidden"       // known caller, not allowed
	KindUnauthenticated Kind = "unauthenticated" // no or bad credentials
	KindPrecondition    Kind = "precondition"    // If-Match did not match
	KindTooMany         Kind = "too_many"        // rate limited or locked
	KindGone            Kind = "gone"            // the object existed and is no longer available (an expired export)
	KindUnavailable     Kind = "unavailable"     // a dependency is down; retry later
	KindInternal        Kind = "internal"        // a bug or an unexpected failure; detail is never shown
)

// FieldError names one invalid field and why.
type FieldError struct {
	Field   string
	Message string
}

// Error is the error type every use case returns.
type Error struct {
	Kind    Kind
	Message string       // safe to show to the caller (except for KindInternal)
	Fields  []FieldError // for KindInvalid / KindUnprocessable
	Err     error        // the cause, logged, never shown
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, kernel.ErrNotFound) match any error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && len(t.Fields) == 0 && t.Kind == e.Kind
}

// Sentinels for errors.Is checks: errors.Is(err, kernel.ErrNotFound).
var (
	ErrInvalid         = &Error{Kind: KindInvalid}
	ErrUnprocessable   = &Error{Kind: KindUnprocessable}
	ErrNotFound        = &Error{Kind: KindNotFound}
	ErrConflict        = &Error{Kind: KindConflict}
	ErrForbidden       = &Error{Kind: KindForbidden}
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated}
	ErrPrecondition    = &Error{Kind: KindPrecondition}
	ErrTooMany         = &Error{Kind: KindTooMany}
	ErrGone            = &Error{Kind: KindGone}
	ErrUnavailable     = &Error{Kind: KindUnavailable}
	ErrInternal        = &Error{Kind: KindInternal}
)

// KindOf returns the kind of err, KindInternal for an error that is not a *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// NotFound builds a KindNotFound error.
func NotFound(format string, a ...any) error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, a...)}
}

// Conflict builds a KindConflict error.
func Conflict(format string, a ...any) error {
	return &Error{Kind: KindConflict, Message: fmt.Sprintf(format, a...)}
}

// ConflictField builds a KindConflict error naming the field at fault (a duplicate e-mail, say).
func ConflictField(field, message string) error {
	return &Error{Kind: KindConflict, Message: message, Fields: []FieldError{{Field: field, Message: message}}}
}

// Forbidden builds a KindForbidden error.
func Forbidden(format string, a ...any) error {
	return &Error{Kind: KindForbidden, Message: fmt.Sprintf(format, a...)}
}

// Unauthenticated builds a KindUnauthenticated error.
func Unauthenticated(format string, a ...any) error {
	return &Error{Kind: KindUnauthenticated, Message: fmt.Sprintf(format, a...)}
}

// Unprocessable builds a KindUnprocessable error, optionally naming fields.
func Unprocessable(message string, fields ...FieldError) error {
	return &Error{Kind: KindUnprocessable, Message: message, Fields: fields}
}

// PreconditionFailed builds a KindPrecondition error.
func PreconditionFailed(format string, a ...any) error {
	return &Error{Kind: KindPrecondition, Message: fmt.Sprintf(format, a...)}
}

// TooMany builds a KindTooMany error.
func TooMany(format string, a ...any) error {
	return &Error{Kind: KindTooMany, Message: fmt.Sprintf(format, a...)}
}

// Gone builds a KindGone error.
func Gone(format string, a ...any) error {
	return &Error{Kind: KindGone, Message: fmt.Sprintf(format, a...)}
}

// Unavailable wraps a dependency failure as KindUnavailable.
func Unavailable(err error, format string, a ...any) error {
	return &Error{Kind: KindUnavailable, Message: fmt.Sprintf(format, a...), Err: err}
}

// Internal wraps an unexpected failure; its detail is logged, never shown.
func Internal(err error, format string, a ...any) error {
	return &Error{Kind: KindInternal, Message: fmt.Sprintf(format, a...), Err: err}
}

// Wrap keeps err's kind when it is a *Error and otherwise makes it internal.
func Wrap(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return Internal(err, format, a...)
}

// MaxFieldErrors is how many field errors a Problems keeps; past it, only a count
// is kept, and Fields ends with one entry saying how many more there were. A
// request, however large, cannot make an answer longer than this.
const MaxFieldErrors = 50

// MoreField names the last entry of a capped list of field errors.
const MoreField = "..."

// Problems collects field errors during validation. It keeps at most
// MaxFieldErrors; past the cap, Add and Merge only count (nothing is formatted).
type Problems struct {
	list []FieldError
	more int // field errors past the cap
}

// Add records that field is invalid.
func (p *Problems) Add(field, format string, a ...any) {
	if len(p.list) >= MaxFieldErrors {
		p.more++
		return
	}
	p.list = append(p.list, FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
}

// Full reports whether the cap is reached: a validator looping over many items
// may stop early, since nothing more it finds will be shown.
func (p *Problems) Full() bool { return len(p.list) >= MaxFieldErrors }

// Require adds "is required" when value is blank.
func (p *Problems) Require(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		p.Add(field, "é obrigatório")
		return false
	}
	return true
}

// Merge adds another set of problems under a field prefix ("address.").
func (p *Problems) Merge(prefix string, other *Problems) {
	for i, f := range other.list {
		if len(p.list) >= MaxFieldErrors {
			p.more += len(other.list) - i
			break
		}
		p.list = append(p.list, FieldError{Field: prefix + f.Field, Message: f.Message})
	}
	p.more += other.more
}

// Empty reports whether nothing was added.
func (p *Problems) Empty() bool { return len(p.list) == 0 && p.more == 0 }

// Len is the number of problems added, including those past the cap.
func (p *Problems) Len() int { return len(p.list) + p.more }

// Fields returns the field errors sorted by field name; when more than
// MaxFieldErrors were added, a last entry (field MoreField) tells how many more.
func (p *Problems) Fields() []FieldError {
	out := make([]FieldError, len(p.list), len(p.list)+1)
	copy(out, p.list)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	if p.more > 0 {
		out = append(out, FieldError{Field: MoreField, Message: fmt.Sprintf("e mais %d campos inválidos não listados", p.more)})
	}
	return out
}

// Err returns nil when there were no problems, else a KindInvalid error listing them.
func (p *Problems) Err() error {
	if p.Empty() {
		return nil
	}
	return &Error{Kind: KindInvalid, Message: "a requisição tem campos inválidos", Fields: p.Fields()}
}

// Invalid builds a KindInvalid error for one field.
func Invalid(field, format string, a ...any) error {
	var p Problems
	p.Add(field, format, a...)
	return p.Err()
}

// ErrIntegrity marks stored data that failed its integrity check: an
// authenticated ciphertext that does not authenticate, a checksum that does not
// match. It is a server error (the data was altered or the keys are wrong, not
// the caller's fault) that someone must look at: httpapi answers it with its own
// problem type, logs it as an alert and counts it.
var ErrIntegrity = errors.New("stored data failed its integrity check")

// IntegrityFailure builds the KindInternal error for stored data that failed its
// integrity check; errors.Is(err, ErrIntegrity) holds. Name the object in the
// message (an ID, never personal data): it is logged, never shown.
func IntegrityFailure(cause error, format string, a ...any) error {
	return &Error{Kind: KindInternal, Message: fmt.Sprintf(format, a...), Err: errors.Join(ErrIntegrity, cause)}
}
