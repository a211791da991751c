"""Cross-table rules of the trainees app, enforced by PostgreSQL triggers.

The services give the friendly messages; these make sure no write path (raw SQL, a
bulk update, many staff accepting at the same moment) can break the rules. Every
trigger that reads a course locks its row FOR NO KEY UPDATE, the lock the services
take first: writes touching one course's seats run one after another, and the count
each trigger makes (a fresh snapshot per statement under READ COMMITTED) sees every
seat committed before the lock was granted.

Violations raise SQLSTATE 23514 (check_violation) naming the rule as the constraint.
"""

SEAT_STATUSES_SQL = "('accepted', 'arrived', 'completed')"

COURSE_PERIOD_ON_ENROLLMENT = """
CREATE FUNCTION trainees_enrollment_course_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT start_date, end_date INTO NEW.course_start, NEW.course_end
      FROM trainees_course WHERE id = NEW.course_id FOR NO KEY UPDATE;
    RETURN NEW;
END $$;

CREATE TRIGGER enrollment_copies_course_period
    BEFORE INSERT ON trainees_enrollment
    FOR EACH ROW EXECUTE FUNCTION trainees_enrollment_course_period();

CREATE TRIGGER enrollment_copies_course_period_on_move
    BEFORE UPDATE OF course_id, course_start, course_end ON trainees_enrollment
    FOR EACH ROW WHEN (pg_trigger_depth() = 0)
    EXECUTE FUNCTION trainees_enrollment_course_period();

CREATE FUNCTION trainees_course_period_to_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE trainees_enrollment SET course_start = NEW.start_date, course_end = NEW.end_date
     WHERE course_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER course_period_to_enrollments
    AFTER UPDATE OF start_date, end_date ON trainees_course
    FOR EACH ROW
    WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION trainees_course_period_to_enrollments();
"""

DROP_COURSE_PERIOD_ON_ENROLLMENT = """
DROP TRIGGER IF EXISTS course_period_to_enrollments ON trainees_course;
DROP FUNCTION IF EXISTS trainees_course_period_to_enrollments();
DROP TRIGGER IF EXISTS enrollment_copies_course_period_on_move ON trainees_enrollment;
DROP TRIGGER IF EXISTS enrollment_copies_course_period ON trainees_enrollment;
DROP FUNCTION IF EXISTS trainees_enrollment_course_period();
"""

SEATS_WITHIN_CAPACITY = f"""
CREATE FUNCTION trainees_enrollment_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    seats integer;
    taken integer;
BEGIN
    IF NEW.status NOT IN {SEAT_STATUSES_SQL} THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status IN {SEAT_STATUSES_SQL} AND OLD.course_id = NEW.course_id THEN
        RETURN NULL;
    END IF;
    SELECT capacity INTO seats FROM trainees_course WHERE id = NEW.course_id FOR NO KEY UPDATE;
    SELECT count(*) INTO taken FROM trainees_enrollment
     WHERE course_id = NEW.course_id AND status IN {SEAT_STATUSES_SQL};
    IF taken > seats THEN
        RAISE EXCEPTION 'course % would have % seats taken; its capacity is %', NEW.course_id, taken, seats
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_seats_within_capacity';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER enrollment_seats_within_capacity
    AFTER INSERT OR UPDATE OF status, course_id ON trainees_enrollment
    FOR EACH ROW EXECUTE FUNCTION trainees_enrollment_within_capacity();

CREATE FUNCTION trainees_course_capacity_covers_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    taken integer;
BEGIN
    SELECT count(*) INTO taken FROM trainees_enrollment
     WHERE course_id = NEW.id AND status IN {SEAT_STATUSES_SQL};
    IF taken > NEW.capacity THEN
        RAISE EXCEPTION 'course % has % seats taken; its capacity cannot be %', NEW.code, taken, NEW.capacity
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_seats_within_capacity';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER course_capacity_covers_seats
    BEFORE UPDATE OF capacity ON trainees_course
    FOR EACH ROW WHEN (NEW.capacity < OLD.capacity)
    EXECUTE FUNCTION trainees_course_capacity_covers_seats();
"""

DROP_SEATS_WITHIN_CAPACITY = """
DROP TRIGGER IF EXISTS course_capacity_covers_seats ON trainees_course;
DROP FUNCTION IF EXISTS trainees_course_capacity_covers_seats();
DROP TRIGGER IF EXISTS enrollment_seats_within_capacity ON trainees_enrollment;
DROP FUNCTION IF EXISTS trainees_enrollment_within_capacity();
"""

VISIT_WITHIN_COURSE = """
CREATE FUNCTION trainees_visit_within_course() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    course_start date;
    course_end date;
BEGIN
    SELECT start_date, end_date INTO course_start, course_end
      FROM trainees_course WHERE id = NEW.course_id FOR NO KEY UPDATE;
    IF NEW.date < course_start OR NEW.date > course_end THEN
        RAISE EXCEPTION 'a site visit on % lies outside its course (% to %)', NEW.date, course_start, course_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'course_visit_within_course';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER course_visit_within_course
    BEFORE INSERT OR UPDATE OF course_id, date ON trainees_coursevisit
    FOR EACH ROW EXECUTE FUNCTION trainees_visit_within_course();

CREATE FUNCTION trainees_course_covers_visits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    outside date;
BEGIN
    SELECT date INTO outside FROM trainees_coursevisit
     WHERE course_id = NEW.id AND (date < NEW.start_date OR date > NEW.end_date)
     ORDER BY date LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'course % (% to %) would leave its site visit on % outside',
            NEW.code, NEW.start_date, NEW.end_date, outside
            USING ERRCODE = 'check_violation', CONSTRAINT = 'course_visit_within_course';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER course_covers_its_visits
    BEFORE UPDATE OF start_date, end_date ON trainees_course
    FOR EACH ROW
    WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION trainees_course_covers_visits();
"""

DROP_VISIT_WITHIN_COURSE = """
DROP TRIGGER IF EXISTS course_covers_its_visits ON trainees_course;
DROP FUNCTION IF EXISTS trainees_course_covers_visits();
DROP TRIGGER IF EXISTS course_visit_within_course ON trainees_coursevisit;
DROP FUNCTION IF EXISTS trainees_visit_within_course();
"""
