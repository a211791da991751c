"""A version of the role groups' permissions, for the per-process permission cache.

Every statement that changes which permissions a group holds (or renames or removes a
permission or its model) draws a new version from a sequence. The version lives in a
table, so a rolled-back change rolls the version back too, and a version once seen is
never reused for other contents. The SQL is written out here, not imported.
"""

from django.db import migrations

CREATE = """
CREATE SEQUENCE cooperation_permission_version_seq;
CREATE TABLE cooperation_permission_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL
);
INSERT INTO cooperation_permission_version (version) VALUES (nextval('cooperation_permission_version_seq'));

CREATE FUNCTION cooperation_permission_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cooperation_permission_version SET version = nextval('cooperation_permission_version_seq');
    RETURN NULL;
END $$;

CREATE TRIGGER permission_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON auth_group_permissions FOR EACH STATEMENT EXECUTE FUNCTION cooperation_permission_version_bump();
CREATE TRIGGER permission_version_bump AFTER UPDATE OR DELETE OR TRUNCATE
    ON auth_permission FOR EACH STATEMENT EXECUTE FUNCTION cooperation_permission_version_bump();
CREATE TRIGGER permission_version_bump AFTER UPDATE OR DELETE OR TRUNCATE
    ON django_content_type FOR EACH STATEMENT EXECUTE FUNCTION cooperation_permission_version_bump();
"""

DROP = """
DROP TRIGGER permission_version_bump ON django_content_type;
DROP TRIGGER permission_version_bump ON auth_permission;
DROP TRIGGER permission_version_bump ON auth_group_permissions;
DROP FUNCTION cooperation_permission_version_bump();
DROP TABLE cooperation_permission_version;
DROP SEQUENCE cooperation_permission_version_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0006_personal_data_audit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
