/* carbot/events.h — every event plugins emit, with its payload and emitter.
 * Since SDK 1.6. The names below are the contract: subscribe with cb_hook(p,
 * CB_EV_USER_REGISTERED, ...), read the payload with cb_json_get_str and
 * friends. A payload only grows (new members may appear; none is removed or
 * changes type within SDK 1.x). Ids are UUID strings, instants ISO 8601 UTC.
 *
 * What a subscriber may do (the core enforces it):
 *   - It runs synchronously on the emitter's request thread, after the
 *     emitter's own work, with cb_req_get attributes of the emitter's request.
 *   - Its queries run in the emitter's transaction when one is open, inside a
 *     SAVEPOINT of their own: a subscriber that fails (returns non-zero or
 *     vetoes) has its writes rolled back to that savepoint, and the emitter's
 *     transaction goes on unharmed. When no transaction is open its queries
 *     autocommit.
 *   - It cannot end the emitter's transaction or open one: cb_db_begin,
 *     cb_db_commit and cb_db_rollback return CB_ESTATE inside a subscriber.
 *   - It cannot set or replace the emitter's response: cb_reply,
 *     cb_reply_json, cb_reply_error(_details) and cb_check_reply return
 *     CB_ESTATE and change nothing. It may add response headers (cb_set_header,
 *     cb_add_header), which http.response subscribers use for RateLimit-*.
 *   - Its return value: CB_OK, or a failure that is logged (the other
 *     subscribers still run), except for ".before" events, where a non-zero
 *     return (cb_veto) stops the run and the emitter gets CB_EVETO.
 *   - Slow work (e-mail, webhooks, Stripe) belongs in a job: cb_job_enqueue
 *     inside a subscriber joins the emitter's transaction, so the job exists
 *     exactly when the emitter's change does.
 */
#ifndef CARBOT_EVENTS_H
#define CARBOT_EVENTS_H

/* ---- core ---- */

/* After every handler of a route not answered on the I/O thread.
 * {status: int, route: "GET /api/v1/x/{id}"}. Emitter: core. */
#define CB_EV_HTTP_RESPONSE "http.response"

/* ---- accounts (emitter: auth; user.erasing/user.deleted: gdpr) ---- */

/* An account was created (its first tokens are being issued).
 * {user_id, email}. Emitter: auth, POST /api/v1/auth/register. */
#define CB_EV_USER_REGISTERED "user.registered"

/* A password login succeeded. {user_id, email}. Emitter: auth. */
#define CB_EV_USER_LOGIN "user.login"

/* The password was changed (every session ends). {user_id, email}.
 * Emitter: auth, POST /api/v1/auth/password. */
#define CB_EV_USER_PASSWORD_CHANGED "user.password_changed"

/* GDPR erasure is running: delete every row you keep for the user.
 * {user_id}. Emitted inside the erasure's transaction, before the erasers of
 * the data-subject contract (datasubject.h) run in reverse dependency order.
 * Emitter: gdpr (the planned job after grace_days, or an operator at once). */
#define CB_EV_USER_ERASING "user.erasing"

/* The account is gone (soft-deleted): switch off what it owns.
 * {user_id}. Emitter: auth / gdpr (POST /api/v1/gdpr/erasure, after every
 * plugin's suspend; a cancellation within the grace period calls restore). */
#define CB_EV_USER_DELETED "user.deleted"

/* An erasure was requested; the account is disabled and will be deleted at
 * erase_at (ISO 8601 UTC). {user_id, erase_at}. Emitter: gdpr. Subscriber:
 * notify (mails the owner). */
#define CB_EV_USER_ERASURE_SCHEDULED "user.erasure_scheduled"

/* The owner cancelled the erasure within the grace period; everything is
 * restored. {user_id}. Emitter: gdpr. Subscriber: notify. */
#define CB_EV_USER_ERASURE_CANCELLED "user.erasure_cancelled"

/* A visitor deleted their own conversation from the widget ("Delete my
 * conversation"). {user_id (the key's owner), rows: int}. Emitter: chat
 * (POST /api/v1/widget/forget). Subscriber: gdpr (audit log). */
#define CB_EV_VISITOR_FORGOTTEN "visitor.forgotten"

/* An address verification token was issued (registration, resend). The raw
 * token is in the payload so the mailer can put it in a link; a subscriber
 * must never log or store it. {user_id, email, token, ttl_s: int}.
 * Emitter: auth (plugins/auth/recovery_tokens.c). Subscriber: notify. */
#define CB_EV_AUTH_EMAIL_VERIFICATION "auth.email_verification"

/* A password reset token was issued (POST /api/v1/auth/forgot-password for a
 * known address). Payload and rules as auth.email_verification. */
#define CB_EV_AUTH_PASSWORD_RESET "auth.password_reset"

/* ---- billing ---- */

/* The tier or the status of a subscription changed (takes effect on the next
 * request: drop any cached tier). {user_id, old_tier, new_tier, status}
 * with tiers basic|premium|enterprise and status trialing|active|past_due|
 * canceled|incomplete. Emitter: billing (through users.v1 announce_tier). */
#define CB_EV_SUBSCRIPTION_CHANGED "subscription.changed"

/* A trial ends in 3 days. {user_id, trial_ends_at (ISO 8601 UTC)}.
 * Emitter: billing, job billing.trial_ending_notice planned at registration
 * (not when a subscription ended the trial). Subscriber: notify (the "trial
 * ending" mail). */
#define CB_EV_BILLING_TRIAL_ENDING "billing.trial_ending"

/* A payment failed and the grace period runs. {user_id, grace_ends_at
 * (ISO 8601 UTC)}. Emitter: billing, once per grace period, in the
 * transaction that stores the past_due subscription (invoice.payment_failed).
 * Subscriber: notify. */
#define CB_EV_BILLING_PAYMENT_FAILED "billing.payment_failed"

/* ---- chat ---- */

/* A visitor left contact details: a lead was stored.
 * {lead_id, key_id, user_id (the owner), conversation_id, kind, name,
 * contact, vehicle, service, preferred_day} (the lead's fields may be
 * absent). Personal data: a subscriber may mail or deliver it to the owner,
 * never log it. Emitter: chat. */
#define CB_EV_LEAD_CREATED "lead.created"

/* The owner changed a lead (status, notes). {lead_id, user_id, status, and
 * the lead's public fields as GET /api/v1/leads shows them}.
 * Emitter: chat, PATCH /api/v1/leads/{id}. */
#define CB_EV_LEAD_UPDATED "lead.updated"

/* A conversation ended: silent for the chat's idle_minutes, or ended by a
 * newer conversation of its widget session. Emitted once per conversation,
 * within about a minute, by chat's job chat.end_idle, inside the
 * transaction that marks it ended (a subscriber's queued job exists only
 * then). Conversations from before chat's migration 004 are not announced.
 * {conversation_id, key_id, user_id, messages: int}. Emitter: chat. */
#define CB_EV_CONVERSATION_ENDED "conversation.ended"

/* A visitor's message was answered. {conversation_id, key_id, user_id,
 * intent}. Never the message text (it may hold personal data). Emitter:
 * chat. */
#define CB_EV_CHAT_MESSAGE "chat.message"

/* ---- landing ---- */

/* A landing page went online (published or re-published).
 * {page_id, user_id, subdomain}. Emitter: landing. */
#define CB_EV_PAGE_PUBLISHED "page.published"

/* A page is about to be published; a subscriber may refuse with cb_veto
 * (code and message reach the owner as 403). {user_id, page_id}.
 * Emitter: landing. Subscriber: auth (unverified_may_publish = off). */
#define CB_EV_PAGE_PUBLISH_BEFORE "page.publish.before"

#endif
