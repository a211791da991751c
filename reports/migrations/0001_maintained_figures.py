"""The changes to the tables the annual summary reads, and the summaries computed for one
period, each with the snapshot of the data it was computed from.

Every statement on those tables (insert, update, delete, truncate, whatever sends it:
services, admin, bulk imports, COPY, raw SQL) records that its transaction changed the
figures' data: one row per transaction, which counts its changing statements. Writers never
wait for each other (each touches only its own transaction's row), and a rolled-back write
rolls its record back. A stored summary is out of date once a transaction it could not see
has committed a change, or once the transaction that computed it has changed the data since
(`reports.maintained`). The SQL is written out here, not imported.
"""

from django.db import migrations

# The tables the summary's figures read (each `stats` function's FROM and JOIN clauses).
CREATE = """
CREATE TABLE reports_figures_change (
    xid xid8 PRIMARY KEY,
    statements integer NOT NULL
);

CREATE TABLE reports_maintained_figures (
    period text PRIMARY KEY,
    as_of date,
    definition text NOT NULL,
    snapshot pg_snapshot NOT NULL,
    writer xid8,
    writer_statements integer,
    figures jsonb NOT NULL,
    computed_at timestamptz NOT NULL
);

CREATE FUNCTION reports_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reports_figures_change (xid, statements) VALUES (pg_current_xact_id(), 1)
    ON CONFLICT (xid) DO UPDATE SET statements = reports_figures_change.statements + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_cooperationfield FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_organization FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON cooperation_region FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_program FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_program_fields FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_project FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON programs_project_fields FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_deployment FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON dispatch_mission FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_course FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_delegation FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_enrollment FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_enrollmentstatuschange FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON trainees_trainee FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_changed();
"""

DROP = """
DROP TRIGGER figures_changed ON trainees_trainee;
DROP TRIGGER figures_changed ON trainees_enrollmentstatuschange;
DROP TRIGGER figures_changed ON trainees_enrollment;
DROP TRIGGER figures_changed ON trainees_delegation;
DROP TRIGGER figures_changed ON trainees_course;
DROP TRIGGER figures_changed ON dispatch_mission;
DROP TRIGGER figures_changed ON dispatch_deployment;
DROP TRIGGER figures_changed ON programs_project_fields;
DROP TRIGGER figures_changed ON programs_project;
DROP TRIGGER figures_changed ON programs_program_fields;
DROP TRIGGER figures_changed ON programs_program;
DROP TRIGGER figures_changed ON cooperation_region;
DROP TRIGGER figures_changed ON cooperation_organization;
DROP TRIGGER figures_changed ON cooperation_cooperationfield;
DROP FUNCTION reports_figures_changed();
DROP TABLE reports_maintained_figures;
DROP TABLE reports_figures_change;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0007_permission_version"),
        ("programs", "0004_archive"),
        ("dispatch", "0005_deployment_no_actual_dates_before_departure"),
        ("trainees", "0005_delegation_status"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
