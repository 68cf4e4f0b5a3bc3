package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/core/kernel"
)

// IdempotencyRecord is the stored first answer to a request with an Idempotency-Key.
type IdempotencyRecord struct {
	RequestHash string // SHA-256 of the body
	Done        bool   // false while the first request is still running
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// IdempotencyScope names one key: the caller, the route and the key they sent.
type IdempotencyScope struct {
	Principal string
	Route     string
	Key       string
}

// IdempotencyStore keeps first answers. Claim inserts a pending record for scope
// and reports claimed=true, or returns the existing record (a pending one older
// than the store's takeover age is claimed anew: its request died). Complete
// stores the answer; Release forgets a pending claim so the request may be retried.
type IdempotencyStore interface {
	Claim(ctx context.Context, scope IdempotencyScope, requestHash string) (rec IdempotencyRecord, claimed bool, err error)
	Complete(ctx context.Context, scope IdempotencyScope, rec IdempotencyRecord) error
	Release(ctx context.Context, scope IdempotencyScope) error
}

// IdempotencyWait is how long a duplicate waits for the first request to finish before a 409.
var IdempotencyWait = 5 * time.Second

// ClaimState says what became of a claim deferred to the guarded write.
type ClaimState int

const (
	ClaimUnused    ClaimState = iota // the handler wrote nothing under the claim
	ClaimCommitted                   // inserted and committed with the handler's write
	ClaimTaken                       // the key already existed: the write was not made
	ClaimAnswered                    // inserted and committed with the write, already holding the answer
)

// Answerer renders, before the write, the answer a handler will give once the
// write succeeds, from the value the write stores (see WithAnswerer).
type Answerer func(written any) (IdempotencyRecord, bool)

type answererKey struct{}

// WithAnswerer lets the store that consumes a deferred claim insert it already
// completed with f's answer (one round trip fewer than Complete); the
// middleware then sends exactly that stored answer.
func WithAnswerer(ctx context.Context, f Answerer) context.Context {
	return context.WithValue(ctx, answererKey{}, f)
}

// AnswererFrom returns the Answerer put in ctx, or nil.
func AnswererFrom(ctx context.Context) Answerer {
	f, _ := ctx.Value(answererKey{}).(Answerer)
	return f
}

// DeferringIdempotencyStore can fold the claim into the guarded write: DeferClaim
// returns a context carrying the claim, and the store that makes the handler's
// one write inserts the claim in that write's own statement or transaction (one
// round trip fewer than Claim). ClaimStateOf reports the outcome afterwards.
type DeferringIdempotencyStore interface {
	IdempotencyStore
	DeferClaim(ctx context.Context, scope IdempotencyScope, requestHash string) context.Context
	ClaimStateOf(ctx context.Context) ClaimState
	// AnswerOf is the answer stored with a ClaimAnswered claim.
	AnswerOf(ctx context.Context) IdempotencyRecord
}

// Idempotent wraps a POST handler that books or charges. With an Idempotency-Key
// header, the first answer (status and body, success or client error) is stored
// under caller + route + key and replayed to every repeat (header
// Idempotent-Replayed: true); the same key with a different body is a 422; a
// repeat arriving while the first is still running waits for it, then gets a 409.
// Server errors (5xx) are not stored, so the request may be retried.
func Idempotent(store IdempotencyStore, h fiber.Handler) fiber.Handler {
	return idempotent(store, h, false)
}

// IdempotentDeferred is Idempotent for a handler whose only write is made by a
// store that consumes deferred claims (see DeferringIdempotencyStore): the claim
// is inserted with that write, and a repeat finds it as it would find a claim
// made first. Where the store cannot defer, it is Idempotent.
func IdempotentDeferred(store IdempotencyStore, h fiber.Handler) fiber.Handler {
	return idempotent(store, h, true)
}

func idempotent(store IdempotencyStore, h fiber.Handler, deferred bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		p := PrincipalOf(c)
		if key == "" || store == nil || p.IsAnonymous() {
			return h(c)
		}
		if len(key) > 255 {
			return kernel.Invalid("Idempotency-Key", "deve ter no máximo 255 caracteres")
		}
		route := c.Method() + " " + c.Path() // the concrete path: one key per object acted on
		scope := IdempotencyScope{Principal: string(p.Kind) + ":" + p.AccountID, Route: route, Key: key}
		sum := sha256.Sum256(c.Body())
		hash := hex.EncodeToString(sum[:])
		ctx := c.UserContext()
		if ds, ok := store.(DeferringIdempotencyStore); ok && deferred {
			dctx := ds.DeferClaim(ctx, scope, hash)
			c.SetUserContext(dctx)
			err := h(c)
			c.SetUserContext(ctx)
			switch ds.ClaimStateOf(dctx) {
			case ClaimAnswered: // stored with the write: send exactly what repeats will get
				rec := ds.AnswerOf(dctx)
				c.Response().ResetBody()
				if rec.Location != "" {
					c.Location(rec.Location)
				}
				c.Set(fiber.HeaderContentType, rec.ContentType)
				return c.Status(rec.Status).Send(rec.Body)
			case ClaimCommitted:
				return complete(c, store, scope, hash, err)
			case ClaimTaken: // a request with this key came first (err is the write's refusal): answer as it does
			default: // nothing was written: claim now, as Idempotent does first
				if err != nil && problemFor(err).Status >= 500 {
					return err // a server error is not stored: nothing to claim (and the database may be down)
				}
				done, rerr := claim(c, store, scope, hash)
				if done || rerr != nil {
					return rerr
				}
				return complete(c, store, scope, hash, err)
			}
		}
		done, err := claim(c, store, scope, hash)
		if done || err != nil {
			return err
		}
		return complete(c, store, scope, hash, h(c))
	}
}

// claim claims scope; when the key is already known it answers the request
// (replay, 422 or 409) and reports done.
func claim(c *fiber.Ctx, store IdempotencyStore, scope IdempotencyScope, hash string) (done bool, err error) {
	ctx := c.UserContext()
	deadline := time.Now().Add(IdempotencyWait)
	for {
		rec, claimed, err := store.Claim(ctx, scope, hash)
		if err != nil {
			return true, err
		}
		if claimed {
			return false, nil
		}
		if rec.RequestHash != hash {
			return true, kernel.Unprocessable("esta Idempotency-Key foi usada com um corpo de requisição diferente",
				kernel.FieldError{Field: "Idempotency-Key", Message: "foi usada com um corpo de requisição diferente"})
		}
		if rec.Done {
			c.Set("Idempotent-Replayed", "true")
			if rec.Location != "" {
				c.Location(rec.Location)
			}
			if rec.ContentType != "" {
				c.Set(fiber.HeaderContentType, rec.ContentType)
			}
			return true, c.Status(rec.Status).Send(rec.Body)
		}
		if time.Now().After(deadline) {
			return true, kernel.Conflict("uma requisição com esta Idempotency-Key ainda está em andamento; tente novamente mais tarde")
		}
		select {
		case <-ctx.Done():
			return true, kernel.Unavailable(ctx.Err(), "requisição cancelada")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// complete stores the answer of the handler that returned err under a claimed scope.
func complete(c *fiber.Ctx, store IdempotencyStore, scope IdempotencyScope, hash string, err error) error {
	ctx := c.UserContext()
	if err != nil {
		if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
			_ = store.Release(context.WithoutCancel(ctx), scope)
			return herr
		}
	}
	status := c.Response().StatusCode()
	if status >= 500 {
		_ = store.Release(context.WithoutCancel(ctx), scope)
		return nil
	}
	rec := IdempotencyRecord{RequestHash: hash, Done: true, Status: status,
		ContentType: string(c.Response().Header.ContentType()), Location: string(c.Response().Header.Peek(fiber.HeaderLocation)),
		Body: append([]byte(nil), c.Response().Body()...)}
	return store.Complete(context.WithoutCancel(ctx), scope, rec)
}
