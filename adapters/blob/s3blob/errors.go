package s3blob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/multisaude/multisaude/core/kernel"
)

// translate turns an SDK error into a kernel kind. The SDK's retryer has
// already retried throttling and 5xx answers by the time an error gets here.
func translate(err error, format string, a ...any) error {
	msg := "s3blob: " + fmt.Sprintf(format, a...)
	var (
		nsk *types.NoSuchKey
		nf  *types.NotFound
		api smithy.APIError
	)
	switch {
	case errors.As(err, &nsk), errors.As(err, &nf):
		return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &api):
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
		case "NoSuchBucket":
			return kernel.Unavailable(err, "%s: bucket does not exist", msg)
		case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
			"ServiceUnavailable", "InternalError", "RequestTimeout":
			return kernel.Unavailable(err, "%s", msg)
		}
		if isStatus(err, http.StatusNotFound) {
			return &kernel.Error{Kind: kernel.KindNotFound, Message: "objeto não encontrado", Err: err}
		}
		if statusOf(err) >= 500 || statusOf(err) == http.StatusTooManyRequests {
			return kernel.Unavailable(err, "%s", msg)
		}
		return kernel.Internal(err, "%s", msg)
	}
	if statusOf(err) >= 500 {
		return kernel.Unavailable(err, "%s", msg)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) {
		return kernel.Unavailable(err, "%s", msg)
	}
	return kernel.Internal(err, "%s", msg)
}

func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func isStatus(err error, code int) bool { return statusOf(err) == code }
