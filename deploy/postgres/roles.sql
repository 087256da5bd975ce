-- Least-privilege roles for Findings, run once per database by its owner (idempotent):
--   psql -v database=findings -v ingest_password=... -v store_password=... \
--        -v api_password=... -f roles.sql
-- ingest and store each own their schema (their migrations create their tables in it);
-- the api reads both and writes nothing; parse has no database access at all.

select format('create role %I login', name)
from unnest(array['findings_ingest', 'findings_store', 'findings_api']) as name
where not exists (select 1 from pg_roles where rolname = name)
\gexec

alter role findings_ingest password :'ingest_password';
alter role findings_store password :'store_password';
alter role findings_api password :'api_password';

grant connect on database :"database" to findings_ingest, findings_store, findings_api;

-- store's search index holds a text column beside its words (store migration 0022), through
-- btree_gin's operator classes; creating an extension needs the database's CREATE
-- privilege, which store's role does not have (its migration creates it only where it may).
create extension if not exists btree_gin;

create schema if not exists ingest authorization findings_ingest;
create schema if not exists store authorization findings_store;

grant usage on schema ingest, store to findings_api;
grant select on all tables in schema ingest to findings_api;
grant select on all tables in schema store to findings_api;
-- Tables the services' migrations create later are readable by the api too.
alter default privileges for role findings_ingest in schema ingest
    grant select on tables to findings_api;
alter default privileges for role findings_store in schema store
    grant select on tables to findings_api;
