-- How the service names a doctor to patients and staff ("Dr Hélène Dubois"), as one rule every
-- query shares: `doctor_name(d)` for a row `d` of doctor. A one-expression SQL function is
-- inlined by the planner, so it costs what writing the expression out did.
CREATE FUNCTION doctor_name(d doctor) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN d.title || ' ' || d.first_name || ' ' || d.last_name;
