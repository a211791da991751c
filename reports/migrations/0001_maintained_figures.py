"""A data version of the figures, moved by every write to a table the annual summary reads,
and the table of summaries computed for one period at one version.

Every statement on those tables (insert, update, delete, truncate, whatever sends it:
services, admin, bulk imports, COPY, raw SQL) draws a new version from a sequence. The
version lives in a one-row table, so a rolled-back write rolls the version back too, and a
version once seen is never reused for other contents. A stored summary is served only
while the version it was computed at is still the current one. The SQL is written out
here, not imported.
"""

from django.db import migrations

# The tables the summary's figures read (each `stats` function's FROM and JOIN clauses).
CREATE = """
CREATE SEQUENCE reports_figures_version_seq;
CREATE TABLE reports_figures_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL
);
INSERT INTO reports_figures_version (version) VALUES (nextval('reports_figures_version_seq'));

CREATE TABLE reports_maintained_figures (
    period text PRIMARY KEY,
    as_of date,
    definition text NOT NULL,
    data_version bigint NOT NULL,
    figures jsonb NOT NULL,
    computed_at timestamptz NOT NULL
);

CREATE FUNCTION reports_figures_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports_figures_version SET version = nextval('reports_figures_version_seq');
    RETURN NULL;
END $$;

CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_cooperationfield FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_organization FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_region FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_program FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_program_fields FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_project FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_project_fields FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_deployment FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_mission FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_course FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_delegation FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_enrollment FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_enrollmentstatuschange FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
CREATE TRIGGER figures_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_trainee FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_version_bump();
"""

DROP = """
DROP TRIGGER figures_version_bump ON trainees_trainee;
DROP TRIGGER figures_version_bump ON trainees_enrollmentstatuschange;
DROP TRIGGER figures_version_bump ON trainees_enrollment;
DROP TRIGGER figures_version_bump ON trainees_delegation;
DROP TRIGGER figures_version_bump ON trainees_course;
DROP TRIGGER figures_version_bump ON dispatch_mission;
DROP TRIGGER figures_version_bump ON dispatch_deployment;
DROP TRIGGER figures_version_bump ON programs_project_fields;
DROP TRIGGER figures_version_bump ON programs_project;
DROP TRIGGER figures_version_bump ON programs_program_fields;
DROP TRIGGER figures_version_bump ON programs_program;
DROP TRIGGER figures_version_bump ON cooperation_region;
DROP TRIGGER figures_version_bump ON cooperation_organization;
DROP TRIGGER figures_version_bump ON cooperation_cooperationfield;
DROP FUNCTION reports_figures_version_bump();
DROP TABLE reports_maintained_figures;
DROP TABLE reports_figures_version;
DROP SEQUENCE reports_figures_version_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0007_permission_version"),
        ("programs", "0004_archive"),
        ("dispatch", "0005_deployment_no_actual_dates_before_departure"),
        ("trainees", "0005_delegation_status"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
