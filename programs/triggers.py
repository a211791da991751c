"""Cross-table rules kept by the database itself, for `migrations.RunSQL`.

The models' `clean()` gives the friendly message; these triggers make sure no write
path (raw SQL, a bulk update, two transactions racing each other) can break the rule.
Each trigger that reads a parent row locks it FOR SHARE, so the parent cannot change
under a child being written until that transaction ends; the parent's own trigger runs
after its row lock is granted and so sees every committed child.

Violations raise SQLSTATE 23514 (check_violation) naming the rule as the constraint.
"""

PROJECT_WITHIN_PROGRAM = """
CREATE FUNCTION programs_project_within_program() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    program_start date;
    program_end date;
BEGIN
    SELECT start_date, end_date INTO program_start, program_end
      FROM programs_program WHERE id = NEW.program_id FOR SHARE;
    IF NEW.start_date < program_start
       OR (program_end IS NOT NULL AND COALESCE(NEW.end_date, 'infinity'::date) > program_end) THEN
        RAISE EXCEPTION 'project % (% to %) lies outside the period of its program (% to %)',
            NEW.code, NEW.start_date, COALESCE(NEW.end_date::text, 'open'),
            program_start, COALESCE(program_end::text, 'open')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'project_within_program_period';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER project_within_program_period
    BEFORE INSERT OR UPDATE OF program_id, start_date, end_date ON programs_project
    FOR EACH ROW EXECUTE FUNCTION programs_project_within_program();

CREATE FUNCTION programs_program_covers_projects() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    outside text;
BEGIN
    SELECT code INTO outside FROM programs_project
     WHERE program_id = NEW.id
       AND (start_date < NEW.start_date
            OR (NEW.end_date IS NOT NULL AND COALESCE(end_date, 'infinity'::date) > NEW.end_date))
     ORDER BY code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'program % (% to %) would leave its project % outside its period',
            NEW.code, NEW.start_date, COALESCE(NEW.end_date::text, 'open'), outside
            USING ERRCODE = 'check_violation', CONSTRAINT = 'project_within_program_period';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER program_covers_its_projects
    BEFORE UPDATE OF start_date, end_date ON programs_program
    FOR EACH ROW
    WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION programs_program_covers_projects();
"""

DROP_PROJECT_WITHIN_PROGRAM = """
DROP TRIGGER IF EXISTS program_covers_its_projects ON programs_program;
DROP FUNCTION IF EXISTS programs_program_covers_projects();
DROP TRIGGER IF EXISTS project_within_program_period ON programs_project;
DROP FUNCTION IF EXISTS programs_project_within_program();
"""

MEASUREMENT_AFTER_BASELINE = """
CREATE FUNCTION programs_measurement_after_baseline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    baseline date;
BEGIN
    SELECT baseline_date INTO baseline FROM programs_indicator WHERE id = NEW.indicator_id FOR SHARE;
    IF NEW.period_end < baseline THEN
        RAISE EXCEPTION 'a measurement for the period ending % lies before its indicator''s baseline date %',
            NEW.period_end, baseline
            USING ERRCODE = 'check_violation', CONSTRAINT = 'measurement_not_before_baseline';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER measurement_not_before_baseline
    BEFORE INSERT OR UPDATE OF indicator_id, period_end ON programs_measurement
    FOR EACH ROW EXECUTE FUNCTION programs_measurement_after_baseline();

CREATE FUNCTION programs_indicator_baseline_before_measurements() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    earliest date;
BEGIN
    SELECT min(period_end) INTO earliest FROM programs_measurement WHERE indicator_id = NEW.id;
    IF earliest < NEW.baseline_date THEN
        RAISE EXCEPTION 'indicator % has a measurement for the period ending %, before the baseline date %',
            NEW.id, earliest, NEW.baseline_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'measurement_not_before_baseline';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER indicator_baseline_before_measurements
    BEFORE UPDATE OF baseline_date ON programs_indicator
    FOR EACH ROW WHEN (NEW.baseline_date > OLD.baseline_date)
    EXECUTE FUNCTION programs_indicator_baseline_before_measurements();
"""

DROP_MEASUREMENT_AFTER_BASELINE = """
DROP TRIGGER IF EXISTS indicator_baseline_before_measurements ON programs_indicator;
DROP FUNCTION IF EXISTS programs_indicator_baseline_before_measurements();
DROP TRIGGER IF EXISTS measurement_not_before_baseline ON programs_measurement;
DROP FUNCTION IF EXISTS programs_measurement_after_baseline();
"""

FUNDING_PROJECT_IN_PROGRAM = """
CREATE FUNCTION programs_funding_project_in_program() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    project_program bigint;
BEGIN
    IF NEW.project_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT program_id INTO project_program FROM programs_project WHERE id = NEW.project_id FOR SHARE;
    IF project_program IS DISTINCT FROM NEW.program_id THEN
        RAISE EXCEPTION 'funding for project % must be booked on its program % (not %)',
            NEW.project_id, project_program, NEW.program_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'funding_project_in_program';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER funding_project_in_program
    BEFORE INSERT OR UPDATE OF program_id, project_id ON programs_funding
    FOR EACH ROW EXECUTE FUNCTION programs_funding_project_in_program();

CREATE FUNCTION programs_project_keeps_its_funding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM programs_funding WHERE project_id = NEW.id AND program_id <> NEW.program_id) THEN
        RAISE EXCEPTION 'project % has funding booked on program %; move the funding first',
            NEW.code, OLD.program_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'funding_project_in_program';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER project_keeps_its_funding
    BEFORE UPDATE OF program_id ON programs_project
    FOR EACH ROW WHEN (OLD.program_id IS DISTINCT FROM NEW.program_id)
    EXECUTE FUNCTION programs_project_keeps_its_funding();
"""

DROP_FUNDING_PROJECT_IN_PROGRAM = """
DROP TRIGGER IF EXISTS project_keeps_its_funding ON programs_project;
DROP FUNCTION IF EXISTS programs_project_keeps_its_funding();
DROP TRIGGER IF EXISTS funding_project_in_program ON programs_funding;
DROP FUNCTION IF EXISTS programs_funding_project_in_program();
"""
