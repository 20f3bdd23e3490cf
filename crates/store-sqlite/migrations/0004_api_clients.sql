-- API clients of relying parties are accounts with role api_client; their scopes:
ALTER TABLE accounts ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
