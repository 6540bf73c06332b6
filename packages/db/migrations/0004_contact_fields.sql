CREATE TABLE "contact_field_definitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"type" text NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_field_values" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"field_id" uuid NOT NULL,
	"value" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_field_values_contact_id_field_id_pk" PRIMARY KEY("contact_id","field_id")
);
--> statement-breakpoint
ALTER TABLE "contact_field_definitions" ADD CONSTRAINT "contact_field_definitions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_field_values" ADD CONSTRAINT "contact_field_values_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_field_values" ADD CONSTRAINT "contact_field_values_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_field_values" ADD CONSTRAINT "contact_field_values_field_id_contact_field_definitions_id_fk" FOREIGN KEY ("field_id") REFERENCES "public"."contact_field_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_field_definitions_key" ON "contact_field_definitions" USING btree ("workspace_id","key");--> statement-breakpoint
CREATE INDEX "contact_field_values_field_idx" ON "contact_field_values" USING btree ("field_id");--> statement-breakpoint
-- Tenant isolation for custom contact fields (see 0001 and 0003 for the model).
GRANT SELECT, INSERT, UPDATE, DELETE ON contact_field_definitions, contact_field_values TO parley_app;
--> statement-breakpoint
ALTER TABLE contact_field_definitions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contact_field_definitions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY contact_field_definitions_tenant ON contact_field_definitions FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
--> statement-breakpoint
ALTER TABLE contact_field_values ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE contact_field_values FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY contact_field_values_tenant ON contact_field_values FOR ALL
  USING (workspace_id = parley_current_workspace())
  WITH CHECK (workspace_id = parley_current_workspace());
