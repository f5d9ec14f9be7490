/*  Tests for the services web applications need in CI: the client
    libraries that bring a database in each ecosystem (.NET packages,
    Cargo features), tests that start their own containers, the schema a
    Rails app tested with rspec needs, and the URL each framework reads.
    Projects are invented here, built in memory, no codecs.  */
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"
#include "common/ytree.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static knowledge_t *s_kb;

static void
s_setup (void)
{
    char err [256];
    s_kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (s_kb, "knowledge: %s", err);
}

static void
s_teardown (void)
{
    knowledge_destroy (&s_kb);
}

TestSuite (qa_services, .init = s_setup, .fini = s_teardown);

//  -- building inputs -----------------------------------------------------

//  A top-level name sent without contents (a folder: "spec/").
static void
s_add_name (project_t *p, const char *name)
{
    cr_assert_eq (project_add_file (p, name), 0);
}

//  A top-level file sent with its contents.
static void
s_add_file (project_t *p, const char *name, const char *data)
{
    s_add_name (p, name);
    cr_assert_eq (project_add_manifest (p, name, data, strlen (data)), 0);
}

//  Detect p with an empty README; the report is the caller's.
static report_t
s_detect (const project_t *p)
{
    readme_doc_t doc = { 0 };
    doc.docs = calloc (1, sizeof *doc.docs);
    doc.docs [0] = strdup ("README.md");
    doc.docs_count = 1;
    report_t r = { 0 };
    char err [256] = "";
    cr_assert_eq (detector_detect (s_kb, p, &doc, false, &r, err, sizeof err), 0,
                  "detect: %s", err);
    readme_doc_release (&doc);
    return r;
}

static const report_job_t *
s_job (const report_t *r, const char *ecosystem)
{
    for (size_t i = 0; i < r->jobs_count; i++)
        if (strcmp (r->jobs [i].ecosystem, ecosystem) == 0)
            return &r->jobs [i];
    cr_assert_fail ("no %s job", ecosystem);
    return NULL;
}

static const report_service_t *
s_service (const report_job_t *job, const char *name)
{
    for (size_t i = 0; i < job->services_count; i++)
        if (strcmp (job->services [i].name, name) == 0)
            return &job->services [i];
    return NULL;
}

//  The index of the step that runs run, or -1.
static int
s_step_at (const report_job_t *job, const char *run)
{
    for (size_t i = 0; i < job->steps_count; i++)
        if (strcmp (job->steps [i].run, run) == 0)
            return (int) i;
    return -1;
}

static char *
s_render (const report_t *r, const char *target)
{
    step_options_t options = { .explain = false };
    snprintf (options.target, sizeof options.target, "%s", target);
    char *text = NULL, err [256] = "";
    cr_assert_eq (generator_render (s_kb, r, &options, &text, err, sizeof err), 0,
                  "render: %s", err);
    return text;
}

//  -- .NET packages -------------------------------------------------------

static const char s_csproj [] =
    "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n"
    "  <PropertyGroup>\n"
    "    <TargetFramework>net8.0</TargetFramework>\n"
    "  </PropertyGroup>\n"
    "  <ItemGroup>\n"
    "    <PackageReference Include=\"Npgsql.EntityFrameworkCore.PostgreSQL\" Version=\"8.0.2\" />\n"
    "    <PackageReference Include='StackExchange.Redis' Version='2.7.33' />\n"
    "    <PackageReference Include=\"xunit\" Version=\"2.7.0\" />\n"
    "  </ItemGroup>\n"
    "</Project>\n";

Test (qa_services, dotnet_package_references_bring_their_services)
{
    project_t p = { .name = strdup ("clinic") };
    s_add_file (&p, "Clinic.Api.csproj", s_csproj);
    report_t r = s_detect (&p);
    const report_job_t *job = s_job (&r, "dotnet");
    const report_service_t *pg = s_service (job, "postgres");
    cr_assert_not_null (pg, "Npgsql's provider brings postgres");
    cr_assert_str_eq (pg->source, "Clinic.Api.csproj:6 PackageReference "
                      "Npgsql.EntityFrameworkCore.PostgreSQL");
    cr_assert_not_null (s_service (job, "redis"), "single quotes are read too");
    cr_assert_eq (job->services_count, 2, "xunit is no service");
    report_release (&r);
    project_release (&p);
}

Test (qa_services, dotnet_without_client_packages_has_no_services)
{
    project_t p = { .name = strdup ("lib") };
    s_add_file (&p, "Lib.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup>"
                "<TargetFramework>net8.0</TargetFramework></PropertyGroup>"
                "<ItemGroup><PackageReference Include=\"Newtonsoft.Json\" />"
                "<PackageReference Version=\"1\" /><PackageReference Include=\"Npgsql\"\n");
    report_t r = s_detect (&p);
    //  the last reference never closes: it is not read
    cr_assert_eq (s_job (&r, "dotnet")->services_count, 0);
    report_release (&r);
    project_release (&p);
}

//  -- Cargo features ------------------------------------------------------

Test (qa_services, sqlx_features_name_the_database)
{
    project_t p = { .name = strdup ("pastebin") };
    s_add_file (&p, "Cargo.toml",
                "[package]\nname = \"pastebin\"\nversion = \"0.1.0\"\n\n"
                "[dependencies]\n"
                "sqlx = { version = \"0.7\", features = [\"runtime-tokio\", \"mysql\"] }\n"
                "diesel = \"2\"\n");
    report_t r = s_detect (&p);
    const report_job_t *job = s_job (&r, "rust");
    const report_service_t *db = s_service (job, "mysql");
    cr_assert_not_null (db, "sqlx's mysql feature brings mysql");
    cr_assert_str_eq (db->source, "Cargo.toml:6 dependencies sqlx");
    cr_assert_null (s_service (job, "postgres"), "diesel without features names none");
    cr_assert_eq (job->services_count, 1);
    report_release (&r);
    project_release (&p);
}

Test (qa_services, sqlx_without_a_backend_feature_brings_nothing)
{
    project_t p = { .name = strdup ("q") };
    s_add_file (&p, "Cargo.toml",
                "[package]\nname = \"q\"\nversion = \"0.1.0\"\n\n"
                "[dependencies.sqlx]\nversion = \"0.7\"\nfeatures = [\"sqlite\", \"macros\"]\n");
    report_t r = s_detect (&p);
    cr_assert_eq (s_job (&r, "rust")->services_count, 0, "sqlite needs no server");
    report_release (&r);
    project_release (&p);
}

//  -- Testcontainers ------------------------------------------------------

static const char s_pom [] =
    "<project>\n  <modelVersion>4.0.0</modelVersion>\n"
    "  <groupId>com.example</groupId><artifactId>stock</artifactId>\n"
    "  <version>1.0</version>\n  <dependencies>\n"
    "    <dependency><groupId>org.postgresql</groupId>"
    "<artifactId>postgresql</artifactId></dependency>\n"
    "%s"
    "  </dependencies>\n</project>\n";

static report_t
s_spring (bool testcontainers)
{
    char pom [1024];
    snprintf (pom, sizeof pom, s_pom, testcontainers
              ? "    <dependency><groupId>org.testcontainers</groupId>"
                "<artifactId>postgresql</artifactId><scope>test</scope></dependency>\n": "");
    project_t p = { .name = strdup ("stock") };
    s_add_file (&p, "pom.xml", pom);
    s_add_file (&p, "compose.yaml",
                "services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n");
    report_t r = s_detect (&p);
    project_release (&p);
    return r;
}

Test (qa_services, testcontainers_tests_get_no_service_containers)
{
    report_t r = s_spring (true);
    const report_job_t *job = s_job (&r, "java");
    cr_assert_eq (job->services_count, 0, "neither the driver's nor the compose file's");
    bool noted = false;
    for (size_t i = 0; i < r.notes_count; i++)
        noted = noted || (strstr (r.notes [i].value, "Testcontainers")
                          && strcmp (r.notes [i].source, "pom.xml") == 0);
    cr_assert (noted, "the report says why, naming the manifest");
    report_release (&r);
    //  the same project without it keeps both
    r = s_spring (false);
    job = s_job (&r, "java");
    cr_assert_not_null (s_service (job, "postgres"));
    cr_assert_not_null (s_service (job, "redis"));
    report_release (&r);
}

Test (qa_services, testcontainers_is_read_in_any_manifest_and_case)
{
    project_t p = { .name = strdup ("orders") };
    s_add_file (&p, "package.json",
                "{\"name\": \"orders\", \"scripts\": {\"test\": \"jest\"},\n"
                " \"dependencies\": {\"pg\": \"^8\"},\n"
                " \"devDependencies\": {\"@TestContainers/postgresql\": \"^10\"}}\n");
    report_t r = s_detect (&p);
    cr_assert_eq (s_job (&r, "node")->services_count, 0);
    report_release (&r);
    project_release (&p);
    //  an example environment naming it is no dependency
    project_t q = { .name = strdup ("orders") };
    s_add_file (&q, "package.json",
                "{\"name\": \"orders\", \"scripts\": {\"test\": \"jest\"},\n"
                " \"dependencies\": {\"pg\": \"^8\"}}\n");
    s_add_file (&q, ".env.example", "TESTCONTAINERS_RYUK_DISABLED=true\n");
    r = s_detect (&q);
    cr_assert_not_null (s_service (s_job (&r, "node"), "postgres"));
    report_release (&r);
    project_release (&q);
}

//  -- Rails ---------------------------------------------------------------

static report_t
s_rails (const char *db_gem, const char *test_gem, bool binstubs)
{
    char gemfile [512];
    snprintf (gemfile, sizeof gemfile,
              "source \"https://rubygems.org\"\n\ngem \"rails\", \"~> 7.1\"\n"
              "gem \"%s\"\n\ngroup :test do\n  gem \"%s\"\nend\n", db_gem, test_gem);
    project_t p = { .name = strdup ("tavern") };
    s_add_file (&p, "Gemfile", gemfile);
    s_add_name (&p, "config/");
    if (binstubs)
        s_add_name (&p, "bin/");
    report_t r = s_detect (&p);
    project_release (&p);
    return r;
}

Test (qa_services, rails_with_rspec_loads_the_schema_before_the_tests)
{
    report_t r = s_rails ("pg", "rspec-rails", true);
    const report_job_t *job = s_job (&r, "ruby");
    int prepare = s_step_at (job, "RAILS_ENV=test bin/rails db:test:prepare");
    int test = s_step_at (job, "bundle exec rspec");
    int install = s_step_at (job, "bundle install");
    cr_assert_geq (prepare, 0, "the schema is loaded");
    cr_assert (install < prepare && prepare < test, "after the gems, before rspec");
    cr_assert_str_eq (job->steps [prepare].name, "Prepare the test database");
    report_release (&r);
    //  no binstubs: through bundler
    r = s_rails ("mysql2", "rspec-rails", false);
    cr_assert_geq (s_step_at (s_job (&r, "ruby"),
                   "RAILS_ENV=test bundle exec rails db:test:prepare"), 0);
    report_release (&r);
}

Test (qa_services, rails_without_a_database_server_or_rspec_adds_nothing)
{
    //  sqlite needs no server and rspec-rails' helper keeps its schema
    report_t r = s_rails ("sqlite3", "rspec-rails", true);
    const report_job_t *job = s_job (&r, "ruby");
    for (size_t i = 0; i < job->steps_count; i++)
        cr_assert_null (strstr (job->steps [i].run, "db:test:prepare"));
    report_release (&r);
    //  a plain gem that happens to use rspec is no application
    project_t p = { .name = strdup ("pgtool") };
    s_add_file (&p, "Gemfile", "source \"https://rubygems.org\"\ngemspec\n");
    s_add_file (&p, "pgtool.gemspec",
                "Gem::Specification.new do |s|\n  s.name = \"pgtool\"\n"
                "  s.add_dependency \"rails\"\n  s.add_dependency \"pg\"\n"
                "  s.add_development_dependency \"rspec\"\nend\n");
    s_add_name (&p, "spec/");
    r = s_detect (&p);
    job = s_job (&r, "ruby");
    for (size_t i = 0; i < job->steps_count; i++)
        cr_assert_null (strstr (job->steps [i].run, "db:test:prepare"));
    report_release (&r);
    project_release (&p);
}

//  -- the URL each framework reads ----------------------------------------

Test (qa_services, active_record_reads_mysql2_urls_and_others_mysql)
{
    report_t r = s_rails ("mysql2", "rspec-rails", true);
    char *github = s_render (&r, "github");
    ynode_t *root = ytree_parse (github, strlen (github), NULL, 0);
    cr_assert_str_eq (ytree_str (ytree_path (root, "jobs", "ruby", "env", "DATABASE_URL",
                                             NULL), ""),
                      "mysql2://root:root@127.0.0.1:3306/test");
    ytree_destroy (&root);
    tu_assert_lints_clean (github);
    free (github);
    char *gitlab = s_render (&r, "gitlab");
    root = ytree_parse (gitlab, strlen (gitlab), NULL, 0);
    cr_assert_str_eq (ytree_str (ytree_path (root, "ruby", "variables", "DATABASE_URL",
                                             NULL), ""),
                      "mysql2://root:root@mysql:3306/test");
    ytree_destroy (&root);
    free (gitlab);
    report_release (&r);
    //  a Python project with the same server keeps the plain scheme
    project_t p = { .name = strdup ("shop") };
    s_add_file (&p, "requirements.txt", "Django>=5\nmysqlclient>=2.2\n");
    s_add_file (&p, "manage.py", "import django\n");
    r = s_detect (&p);
    github = s_render (&r, "github");
    cr_assert_not_null (strstr (github, "DATABASE_URL: mysql://root:root@127.0.0.1:3306/test"),
                        "%s", github);
    tu_assert_lints_clean (github);
    free (github);
    report_release (&r);
    project_release (&p);
}

//  -- GitLab language images ----------------------------------------------

Test (qa_services, gitlab_php_images_get_the_database_extension)
{
    project_t p = { .name = strdup ("parcels") };
    s_add_file (&p, "composer.json",
                "{\"name\": \"acme/parcels\", \"require\": {\"php\": \"^8.2\"},\n"
                " \"scripts\": {\"test\": \"phpunit\"}}\n");
    s_add_file (&p, ".env.example", "DB_CONNECTION=pgsql\nDB_HOST=127.0.0.1\n");
    report_t r = s_detect (&p);
    cr_assert_not_null (s_service (s_job (&r, "php"), "postgres"));
    char *gitlab = s_render (&r, "gitlab");
    ynode_t *root = ytree_parse (gitlab, strlen (gitlab), NULL, 0);
    const ynode_t *before = ytree_path (root, "php", "before_script", NULL);
    cr_assert (before && before->kind == YNODE_SEQ, "%s", gitlab);
    int ext = -1, install = -1;
    for (size_t i = 0; i < before->count; i++) {
        const char *line = ytree_str (before->items [i], "");
        if (strstr (line, "docker-php-ext-install pdo_pgsql"))
            ext = (int) i;
        if (strncmp (line, "composer ", 9) == 0)
            install = (int) i;
    }
    cr_assert (ext >= 0 && ext < install, "the extension before composer:\n%s", gitlab);
    ytree_destroy (&root);
    free (gitlab);
    //  GitHub's setup-php has it already
    char *github = s_render (&r, "github");
    cr_assert_null (strstr (github, "docker-php-ext"));
    free (github);
    report_release (&r);
    project_release (&p);
}

//  -- compose credentials -------------------------------------------------

//  A compose file is how the maintainers run their database: the tests
//  connect with its user, password, database and published port.
Test (qa_services, compose_credentials_and_ports_reach_the_service_and_the_steps)
{
    project_t p = { .name = strdup ("ledger") };
    s_add_file (&p, "package.json", "{ \"name\": \"ledger\", \"scripts\": { \"test\": "
                "\"jest\" }, \"dependencies\": { \"pg\": \"^8.11.0\", \"ioredis\": \"^5\" } }\n");
    s_add_file (&p, "docker-compose.yml",
                "services:\n"
                "  db:\n"
                "    image: \"postgres:${PG_TAG:-15}-alpine\"\n"
                "    environment:\n"
                "      POSTGRES_USER: ledger\n"
                "      POSTGRES_PASSWORD: \"s3cret@pw\"\n"
                "      POSTGRES_DB: ledger_test\n"
                "      PGDATA: ${PGDATA}\n"
                "    ports:\n"
                "      - \"127.0.0.1:5433:5432\"\n"
                "  cache:\n"
                "    image: redis:7\n"
                "    ports:\n"
                "      - target: 6379\n"
                "        published: 6380\n");
    report_t r = s_detect (&p);
    const report_job_t *job = s_job (&r, "node");
    const report_service_t *pg = s_service (job, "postgres");
    cr_assert_not_null (pg);
    //  the tag's default filled in; a variable without one left out
    cr_assert_str_eq (pg->image, "postgres:15-alpine");
    cr_assert_eq (pg->env_count, 3);
    cr_assert_str_eq (pg->env [0], "POSTGRES_USER=ledger");
    cr_assert_str_eq (pg->env [1], "POSTGRES_PASSWORD=s3cret@pw");
    cr_assert_str_eq (pg->env [2], "POSTGRES_DB=ledger_test");
    cr_assert_eq (pg->ports_count, 1);
    cr_assert_str_eq (pg->ports [0], "127.0.0.1:5433:5432");
    cr_assert_str_eq (s_service (job, "redis")->ports [0], "6380:6379");

    char *github = s_render (&r, "github");
    ynode_t *root = ytree_parse (github, strlen (github), NULL, 0);
    const ynode_t *env = ytree_path (root, "jobs", "node", "env", NULL);
    //  the password is percent-encoded inside the URL only
    cr_assert_str_eq (ytree_str (ytree_get (env, "DATABASE_URL"), ""),
                      "postgres://ledger:s3cret%40pw@127.0.0.1:5433/ledger_test", "%s", github);
    cr_assert_str_eq (ytree_str (ytree_get (env, "PGPASSWORD"), ""), "s3cret@pw");
    cr_assert_str_eq (ytree_str (ytree_get (env, "PGPORT"), ""), "5433");
    cr_assert_str_eq (ytree_str (ytree_get (env, "REDIS_URL"), ""), "redis://127.0.0.1:6380");
    cr_assert (strstr (ytree_str (ytree_path (root, "jobs", "node", "services", "postgres",
                                              "options", NULL), ""), "pg_isready -U ledger"));
    ytree_destroy (&root);
    tu_assert_lints_clean (github);
    free (github);
    //  GitLab reaches the container's own port by alias
    char *gitlab = s_render (&r, "gitlab");
    root = ytree_parse (gitlab, strlen (gitlab), NULL, 0);
    cr_assert_str_eq (ytree_str (ytree_path (root, "node", "variables", "DATABASE_URL", NULL), ""),
                      "postgres://ledger:s3cret%40pw@postgres:5432/ledger_test", "%s", gitlab);
    cr_assert_str_eq (ytree_str (ytree_path (root, "node", "variables", "REDIS_URL", NULL), ""),
                      "redis://redis:6379");
    ytree_destroy (&root);
    free (gitlab);
    report_release (&r);
    project_release (&p);
}

Test (qa_services, compose_root_settings_replace_ours_as_a_group)
{
    //  MySQL with an empty root password: our MYSQL_ROOT_PASSWORD would
    //  give root a password the tests do not know
    project_t p = { .name = strdup ("shelf") };
    s_add_file (&p, "requirements.txt", "mysqlclient>=2.2\npytest\n");
    s_add_file (&p, "compose.yaml",
                "services:\n"
                "  mysql:\n"
                "    image: mysql:8.4\n"
                "    environment:\n"
                "      - MYSQL_ALLOW_EMPTY_PASSWORD=yes\n"
                "      - MYSQL_DATABASE=shelf\n"
                "      - MYSQL_USER\n");
    report_t r = s_detect (&p);
    const report_service_t *mysql = s_service (s_job (&r, "python"), "mysql");
    cr_assert_not_null (mysql);
    cr_assert_eq (mysql->env_count, 2);
    cr_assert_str_eq (mysql->env [0], "MYSQL_ALLOW_EMPTY_PASSWORD=yes");
    cr_assert_str_eq (mysql->env [1], "MYSQL_DATABASE=shelf");
    //  no port in the compose file: ours stays
    cr_assert_str_eq (mysql->ports [0], "3306:3306");
    char *github = s_render (&r, "github");
    cr_assert (strstr (github, "DATABASE_URL: mysql://root:@127.0.0.1:3306/shelf"), "%s", github);
    cr_assert (strstr (github, "--password=\" --health-interval"), "%s", github);
    tu_assert_lints_clean (github);
    free (github);
    report_release (&r);
    project_release (&p);

    //  without a compose file our own credentials hold everywhere
    project_t q = { .name = strdup ("shelf") };
    s_add_file (&q, "requirements.txt", "mysqlclient>=2.2\npytest\n");
    r = s_detect (&q);
    github = s_render (&r, "github");
    cr_assert (strstr (github, "DATABASE_URL: mysql://root:root@127.0.0.1:3306/test"), "%s", github);
    cr_assert (strstr (github, "mysqladmin ping -h 127.0.0.1 -uroot --password=root"), "%s", github);
    free (github);
    report_release (&r);
    project_release (&q);
}

//  -- example environments ------------------------------------------------

Test (qa_services, an_example_environment_sets_how_the_service_is_logged_in_to)
{
    project_t p = { .name = strdup ("atlas") };
    s_add_file (&p, "pyproject.toml", "[project]\nname = \"atlas\"\n"
                "dependencies = [\"psycopg>=3\", \"pytest\"]\n");
    s_add_file (&p, ".env.example", "# copy to .env\n"
                "DATABASE_URL=\"postgres://atlas:p%40ss@localhost:5434/atlas_dev?sslmode=disable\"\n");
    report_t r = s_detect (&p);
    const report_service_t *pg = s_service (s_job (&r, "python"), "postgres");
    cr_assert_not_null (pg);
    cr_assert_eq (pg->env_count, 3);
    cr_assert_str_eq (pg->env [0], "POSTGRES_USER=atlas");
    cr_assert_str_eq (pg->env [1], "POSTGRES_PASSWORD=p@ss");
    cr_assert_str_eq (pg->env [2], "POSTGRES_DB=atlas_dev");
    cr_assert_str_eq (pg->ports [0], "5434:5432");
    cr_assert_str_eq (pg->health, "pg_isready -U atlas");
    char *github = s_render (&r, "github");
    cr_assert (strstr (github, "DATABASE_URL: postgres://atlas:p%40ss@127.0.0.1:5434/atlas_dev"),
               "%s", github);
    tu_assert_lints_clean (github);
    free (github);
    report_release (&r);
    project_release (&p);

    //  no password: the image must be told to trust, or it will not start
    project_t q = { .name = strdup ("atlas") };
    s_add_file (&q, "pyproject.toml", "[project]\nname = \"atlas\"\n"
                "dependencies = [\"psycopg>=3\"]\n");
    s_add_file (&q, ".env.sample", "DATABASE_URL=postgresql://atlas:@localhost/atlas\n");
    r = s_detect (&q);
    pg = s_service (s_job (&r, "python"), "postgres");
    cr_assert_str_eq (pg->env [0], "POSTGRES_USER=atlas");
    cr_assert_str_eq (pg->env [1], "POSTGRES_HOST_AUTH_METHOD=trust");
    cr_assert_str_eq (pg->env [2], "POSTGRES_DB=atlas");
    for (size_t i = 0; i < pg->env_count; i++)
        cr_assert_null (strstr (pg->env [i], "POSTGRES_PASSWORD"), "%s", pg->env [i]);
    //  no port in the URL: ours stays
    cr_assert_str_eq (pg->ports [0], "5432:5432");
    //  and the steps are told an empty password, not left without one
    char *text = s_render (&r, "github");
    ynode_t *root = ytree_parse (text, strlen (text), NULL, 0);
    const ynode_t *password = ytree_path (root, "jobs", "python", "env", "PGPASSWORD", NULL);
    cr_assert_not_null (password, "%s", text);
    cr_assert_str_eq (ytree_str (password, "?"), "");
    ytree_destroy (&root);
    tu_assert_lints_clean (text);
    free (text);
    report_release (&r);
    project_release (&q);
}

Test (qa_services, a_compose_file_wins_over_an_example_environment)
{
    project_t p = { .name = strdup ("atlas") };
    s_add_file (&p, "requirements.txt", "psycopg>=3\npytest\n");
    s_add_file (&p, ".env.example", "DATABASE_URL=postgres://dev:dev@localhost:5432/dev\n");
    s_add_file (&p, "compose.yaml", "services:\n  db:\n    image: postgres:16\n"
                "    environment:\n      POSTGRES_PASSWORD: compose\n");
    report_t r = s_detect (&p);
    const report_service_t *pg = s_service (s_job (&r, "python"), "postgres");
    cr_assert_str_eq (pg->env [0], "POSTGRES_PASSWORD=compose");
    for (size_t i = 0; i < pg->env_count; i++)
        cr_assert_null (strstr (pg->env [i], "=dev"), "%s", pg->env [i]);
    report_release (&r);
    project_release (&p);
}

static const char s_laravel [] =
    "{ \"name\": \"acme/shop\", \"type\": \"project\",\n"
    "  \"require\": { \"php\": \"^8.2\", \"laravel/framework\": \"^11.0\" },\n"
    "  \"require-dev\": { \"phpunit/phpunit\": \"^11.0\" } }\n";

Test (qa_services, a_laravel_app_gets_its_env_its_key_and_its_database_login)
{
    project_t p = { .name = strdup ("shop") };
    s_add_file (&p, "composer.json", s_laravel);
    s_add_file (&p, "composer.lock", "{}\n");
    s_add_file (&p, "artisan", "#!/usr/bin/env php\n");
    s_add_file (&p, ".env.example", "APP_KEY=\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\n"
                "DB_PORT=3307\nDB_DATABASE=shop\nDB_USERNAME=root\nDB_PASSWORD=\n");
    report_t r = s_detect (&p);
    const report_job_t *php = s_job (&r, "php");
    int install = s_step_at (php, "composer install --prefer-dist --no-progress");
    int copy = s_step_at (php, "cp .env.example .env");
    int key = s_step_at (php, "php artisan key:generate");
    cr_assert (install >= 0 && copy > install && key > copy, "%d %d %d", install, copy, key);
    cr_assert_str_eq (php->steps [key].name, "Generate the application key");
    //  root with an empty password, on the port the app expects
    const report_service_t *mysql = s_service (php, "mysql");
    cr_assert_not_null (mysql);
    cr_assert_str_eq (mysql->env [0], "MYSQL_ALLOW_EMPTY_PASSWORD=yes");
    cr_assert_str_eq (mysql->env [1], "MYSQL_DATABASE=shop");
    cr_assert_eq (mysql->env_count, 2);
    cr_assert_str_eq (mysql->ports [0], "3307:3306");
    char *github = s_render (&r, "github");
    cr_assert (strstr (github, "DATABASE_URL: mysql://root:@127.0.0.1:3307/shop"), "%s", github);
    tu_assert_lints_clean (github);
    free (github);
    //  on GitLab the database is at its alias, not the .env's 127.0.0.1:
    //  Laravel is told where (but not which database or driver: the
    //  app's phpunit.xml may choose sqlite in memory)
    char *gitlab = s_render (&r, "gitlab");
    ynode_t *root = ytree_parse (gitlab, strlen (gitlab), NULL, 0);
    const ynode_t *vars = ytree_path (root, "php", "variables", NULL);
    cr_assert_str_eq (ytree_str (ytree_get (vars, "DB_HOST"), ""), "mysql", "%s", gitlab);
    cr_assert_str_eq (ytree_str (ytree_get (vars, "DB_PORT"), ""), "3306");
    cr_assert_str_eq (ytree_str (ytree_get (vars, "DB_USERNAME"), ""), "root");
    cr_assert_null (ytree_get (vars, "DB_DATABASE"));
    cr_assert_null (ytree_get (vars, "DB_CONNECTION"));
    ytree_destroy (&root);
    free (gitlab);
    report_release (&r);
    project_release (&p);

    //  a non-root login gets a user of its own beside our root password
    project_t q = { .name = strdup ("shop") };
    s_add_file (&q, "composer.json", s_laravel);
    s_add_file (&q, "artisan", "#!/usr/bin/env php\n");
    s_add_file (&q, ".env.example", "DB_CONNECTION=mysql\nDB_DATABASE=shop\n"
                "DB_USERNAME=shop\nDB_PASSWORD=secret\n");
    r = s_detect (&q);
    mysql = s_service (s_job (&r, "php"), "mysql");
    cr_assert_str_eq (mysql->env [0], "MYSQL_USER=shop");
    cr_assert_str_eq (mysql->env [1], "MYSQL_PASSWORD=secret");
    cr_assert_str_eq (mysql->env [2], "MYSQL_DATABASE=shop");
    cr_assert_str_eq (mysql->env [3], "MYSQL_ROOT_PASSWORD=root");
    cr_assert_str_eq (mysql->health, "mysqladmin ping -h 127.0.0.1 -ushop --password=secret");
    report_release (&r);
    project_release (&q);

    //  without an example to copy, or for a library, no .env is made
    project_t lib = { .name = strdup ("shop") };
    s_add_file (&lib, "composer.json", s_laravel);
    s_add_file (&lib, "artisan", "#!/usr/bin/env php\n");
    r = s_detect (&lib);
    cr_assert_eq (s_step_at (s_job (&r, "php"), "php artisan key:generate"), -1);
    report_release (&r);
    project_release (&lib);
}
