// Package chat owns conversations between patients and professionals (with a
// care relationship) and between patients and partner companies (about one
// of the patient's orders): messages, attachments, read markers, WebSocket
// tickets and the live notices that tell other API instances a message exists.
package chat
