-- The dialogue engine's two statements per inbound message, as functions. Each travels in one
-- simple-protocol message with BEGIN (open) or COMMIT (record), which saves a round trip but
-- has Postgres parse and plan the statement every time; a function call is cheap to parse,
-- and PL/pgSQL keeps the plans of the statements inside it for the connection's lifetime.

-- The sender's conversation, created (linked to the patient their address already belongs to)
-- when they are new. Runs under the conversation's advisory lock, so there is one creator.
CREATE FUNCTION open_conversation(
  p_channel "Channel",
  p_sender text,
  p_now timestamptz,
  p_clinic uuid,
  p_locale "Locale"
) RETURNS TABLE (id uuid, patient_id uuid, locale "Locale", snapshot jsonb, last_activity_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  found_patient uuid;
  found_locale "Locale";
BEGIN
  RETURN QUERY SELECT c.id, c.patient_id, c.locale, c.snapshot, c.last_activity_at
    FROM conversation c WHERE c.channel = p_channel AND c.sender_id = p_sender;
  IF FOUND THEN RETURN; END IF;
  SELECT i.patient_id, p.preferred_locale INTO found_patient, found_locale
    FROM channel_identity i JOIN patient p ON p.id = i.patient_id
   WHERE i.channel = p_channel AND i.external_id = p_sender AND p.clinic_id = p_clinic AND p.erased_at IS NULL
   LIMIT 1;
  RETURN QUERY INSERT INTO conversation AS c (clinic_id, channel, sender_id, patient_id, locale, snapshot, last_activity_at, updated_at)
    VALUES (p_clinic, p_channel, p_sender, found_patient, COALESCE(found_locale, p_locale), 'null'::jsonb, p_now, p_now)
    RETURNING c.id, c.patient_id, c.locale, c.snapshot, c.last_activity_at;
END
$$;

-- The sender's conversation (as open_conversation) and the message claimed for processing:
-- claimed is false for a redelivered message.
CREATE FUNCTION open_exchange(
  p_channel "Channel",
  p_sender text,
  p_message_id text,
  p_now timestamptz,
  p_clinic uuid,
  p_locale "Locale"
) RETURNS TABLE (id uuid, patient_id uuid, locale "Locale", snapshot jsonb, last_activity_at timestamptz, claimed boolean)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT o.id, o.patient_id, o.locale, o.snapshot, o.last_activity_at
    INTO id, patient_id, locale, snapshot, last_activity_at
    FROM open_conversation(p_channel, p_sender, p_now, p_clinic, p_locale) o;
  INSERT INTO processed_message (channel, provider_message_id, conversation_id, replies, processed_at)
  VALUES (p_channel, p_message_id, open_exchange.id, '[]'::jsonb, p_now)
  ON CONFLICT DO NOTHING;
  claimed := FOUND;
  RETURN NEXT;
END
$$;

-- What one exchange changed: the conversation's new state (when p_snapshot is given), its slot
-- holds released (when asked), the replies kept for a redelivery of the message (when
-- p_message_id is given) and the transcript lines staff read.
CREATE FUNCTION record_exchange(
  p_conversation uuid,
  p_now timestamptz,
  p_directions text[],
  p_authors text[],
  p_texts text[],
  p_snapshot jsonb,
  p_locale "Locale",
  p_patient uuid,
  p_status text,
  p_handed_to_human boolean,
  p_release_holds boolean,
  p_channel "Channel",
  p_message_id text,
  p_replies jsonb
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_snapshot IS NOT NULL THEN
    UPDATE conversation SET snapshot = p_snapshot, locale = p_locale, patient_id = p_patient, last_activity_at = p_now,
           updated_at = p_now, status = p_status, handed_to_human = handed_to_human OR p_handed_to_human
     WHERE id = p_conversation;
  END IF;
  IF p_release_holds THEN
    DELETE FROM slot_hold WHERE holder = p_conversation::text;
  END IF;
  IF p_message_id IS NOT NULL THEN
    UPDATE processed_message SET replies = p_replies WHERE channel = p_channel AND provider_message_id = p_message_id;
  END IF;
  INSERT INTO conversation_message (conversation_id, direction, author, text, created_at)
  SELECT p_conversation, l.direction, l.author, l.text, p_now
    FROM unnest(p_directions, p_authors, p_texts) WITH ORDINALITY AS l(direction, author, text, n)
   ORDER BY l.n;
END
$$;
