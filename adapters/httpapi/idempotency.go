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

// Idempotent wraps a POST handler that books or charges. With an Idempotency-Key
// header, the first answer (status and body, success or client error) is stored
// under caller + route + key and replayed to every repeat (header
// Idempotent-Replayed: true); the same key with a different body is a 422; a
// repeat arriving while the first is still running waits for it, then gets a 409.
// Server errors (5xx) are not stored, so the request may be retried.
func Idempotent(store IdempotencyStore, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		p := PrincipalOf(c)
		if key == "" || store == nil || p.IsAnonymous() {
			return h(c)
		}
		if len(key) > 255 {
			return kernel.Invalid("Idempotency-Key", "must have at most 255 characters")
		}
		route := c.Method() + " " + c.Path() // the concrete path: one key per object acted on
		scope := IdempotencyScope{Principal: string(p.Kind) + ":" + p.AccountID, Route: route, Key: key}
		sum := sha256.Sum256(c.Body())
		hash := hex.EncodeToString(sum[:])
		ctx := c.UserContext()
		deadline := time.Now().Add(IdempotencyWait)
		for {
			rec, claimed, err := store.Claim(ctx, scope, hash)
			if err != nil {
				return err
			}
			if claimed {
				break
			}
			if rec.RequestHash != hash {
				return kernel.Unprocessable("this Idempotency-Key was used with a different request body",
					kernel.FieldError{Field: "Idempotency-Key", Message: "was used with a different request body"})
			}
			if rec.Done {
				c.Set("Idempotent-Replayed", "true")
				if rec.Location != "" {
					c.Location(rec.Location)
				}
				if rec.ContentType != "" {
					c.Set(fiber.HeaderContentType, rec.ContentType)
				}
				return c.Status(rec.Status).Send(rec.Body)
			}
			if time.Now().After(deadline) {
				return kernel.Conflict("a request with this Idempotency-Key is still in progress; retry later")
			}
			select {
			case <-ctx.Done():
				return kernel.Unavailable(ctx.Err(), "request cancelled")
			case <-time.After(50 * time.Millisecond):
			}
		}
		if err := h(c); err != nil {
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
		if err := store.Complete(context.WithoutCancel(ctx), scope, rec); err != nil {
			return err
		}
		return nil
	}
}
