package oteltrace

import (
	"context"
	"errors"
	"strconv"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// AWSAPIOptions is the AWS SDK middleware (aws.Config.APIOptions, or
// config.WithAPIOptions) making each call of an SDK client one client span
// named "Service.Operation" ("SQS.SendMessage"), with rpc.system aws-api,
// rpc.service, rpc.method, cloud.region, aws.request_id and the HTTP status;
// an error is recorded by its API error code. Only calls made inside a traced
// operation (a request, a delivery, a publish) are spans. Nothing of the input or output
// (an object key, a message body, an e-mail) is recorded. Nil when tracing is off.
//
// It is ours rather than contrib's otelaws, which is deprecated upstream and
// links the DynamoDB and SNS clients into the binary for their attributes.
func (t *Tracing) AWSAPIOptions() []func(*middleware.Stack) error {
	if !t.Enabled() {
		return nil
	}
	tracer := t.tracer()
	span := middleware.InitializeMiddlewareFunc("MultisaudeTraceSpan", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
		out middleware.InitializeOutput, md middleware.Metadata, err error) {
		if !trace.SpanFromContext(ctx).IsRecording() {
			return next.HandleInitialize(ctx, in) // a poll outside any trace (SQS ReceiveMessage) makes no root span
		}
		service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
		ctx, span := tracer.Start(ctx, service+"."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("rpc.system", "aws-api"), attribute.String("rpc.service", service),
			attribute.String("rpc.method", op), attribute.String("cloud.region", awsmiddleware.GetRegion(ctx))))
		defer span.End()
		out, md, err = next.HandleInitialize(ctx, in)
		if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
			span.SetAttributes(attribute.String("aws.request_id", id))
		}
		if res, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && res != nil {
			span.SetAttributes(attribute.Int("http.response.status_code", res.StatusCode))
		}
		if err != nil {
			kind := "other"
			var api smithy.APIError
			var re *smithyhttp.ResponseError
			switch {
			case errors.As(err, &api):
				kind = api.ErrorCode()
			case errors.As(err, &re):
				kind = strconv.Itoa(re.HTTPStatusCode())
			case errors.Is(err, context.Canceled):
				kind = "canceled"
			case errors.Is(err, context.DeadlineExceeded):
				kind = "timeout"
			}
			span.SetAttributes(attribute.String("error.type", kind))
			span.SetStatus(codes.Error, kind)
		}
		return out, md, err
	})
	return []func(*middleware.Stack) error{func(s *middleware.Stack) error {
		return s.Initialize.Add(span, middleware.After)
	}}
}
