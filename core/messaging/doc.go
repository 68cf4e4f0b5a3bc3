// Package messaging holds the text of every message a person reads outside an
// API answer: e-mails (sent through ports.Notifier) and in-app notifications.
// Each template is a plain function of typed values returning the pt-BR
// subject (the in-app title) and body, with dates and times in the time zone
// of the appointment they speak of, written as Brazilians write them
// ("sexta-feira, 04/12/2026 às 08:30").
package messaging
