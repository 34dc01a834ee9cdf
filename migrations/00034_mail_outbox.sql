-- +goose Up
-- E-mail updates to residents who gave an e-mail address and asked for updates, written in
-- the transaction that tells their apps (job.TellResidents), sent by the mail worker. One
-- row per contact and piece of news. A row names its contact, never the address: the
-- worker reads the address when it sends, so erasing the contact (report.EraseContacts)
-- or a resident who stops the updates also stops a mail that has not gone yet; such a row
-- finishes as 'no_recipient'. There is no foreign key to the contacts for that reason: a
-- contact may go while its mail waits.
--   report_id: a reporter, report_contacts.report_id;
--   supporter: a supporter, support_contacts (job_id, supporter).
-- reason_nl/_en say why a job could not be done (kind 'not_possible'), from the fixed list.
-- state: 'queued' (waits, next_attempt_at), 'sending' (a worker holds it; found so by the
-- next claim, the worker died mid-send: 'failed', never sent twice), 'sent', 'failed'
-- (a permanent SMTP answer, or tries used up), 'expired', 'no_recipient'.
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          bigint NOT NULL REFERENCES jobs (id),
    kind            text NOT NULL,
    report_id       bigint,
    supporter       bytea,
    reason_nl       text NOT NULL DEFAULT '',
    reason_en       text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'expired', 'no_recipient')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    last_error      text NOT NULL DEFAULT '',
    CHECK ((report_id IS NULL) <> (supporter IS NULL))
);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX mail_outbox_done_idx ON mail_outbox (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP TABLE mail_outbox;
