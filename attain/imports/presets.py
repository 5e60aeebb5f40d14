"""Built-in mappings for the export formats of other CRMs: Salesforce, HubSpot, Pipedrive.

Each preset maps an entity's columns to the export's column names (see `mappings.py` for the
sections). Values that every org spells its own way (stage names, lead sources) are translated
for the CRM's defaults; a mapping file can extend them.

- **Salesforce** (Data Loader / Data Export CSV): API field names, 18-character ids, ISO
  timestamps with `+0000`, a UTF-8 byte-order mark. Owners are users (`OwnerId`): import the
  users as people with their id as external id first.
- **HubSpot** (CRM exports: "Record ID", property labels as headers).
- **Pipedrive** (exports: "Deal - Title" / "Organization - Name" style headers).
"""

from __future__ import annotations

from typing import Any

SALESFORCE_STAGES = {
    "Prospecting": "prospecting",
    "Discovery": "qualification",
    "Qualification": "qualification",
    "Needs Analysis": "needs_analysis",
    "Value Proposition": "needs_analysis",
    "Id. Decision Makers": "needs_analysis",
    "Perception Analysis": "needs_analysis",
    "Proposal/Price Quote": "proposal",
    "Proposal/Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Negotiation": "negotiation",
    "Closed Won": "won",
    "Closed Lost": "lost",
}
SALESFORCE_LEAD_SOURCES = {
    "Web": "website",
    "Online Form": "website",
    "Phone Inquiry": "other",
    "Partner Referral": "partner",
    "Referral": "referral",
    "Purchased List": "campaign",
    "Cold Call": "cold_outreach",
    "Trade Show": "event",
    "Other": "other",
}
SALESFORCE_LEAD_STATUS = {
    "Open - Not Contacted": "new",
    "Working - Contacted": "new",
    "Working": "new",
    "New": "new",
    "Qualified": "qualified",
    "Closed - Converted": "converted",
    "Closed - Not Converted": "disqualified",
    "Unqualified": "disqualified",
}
SALESFORCE_TASK_TYPES = {
    "Call": "call",
    "Email": "email",
    "Meeting": "meeting",
    "Prep": "admin",
    "Other": "admin",
    "Demo": "demo",
}
COUNTRIES = {
    "United States": "US",
    "USA": "US",
    "United Kingdom": "GB",
    "Germany": "DE",
    "France": "FR",
    "Netherlands": "NL",
    "Norway": "NO",
    "Romania": "RO",
    "Philippines": "PH",
    "Canada": "CA",
    "Brazil": "BR",
}

SALESFORCE: dict[str, dict[str, Any]] = {
    "people": {
        "columns": {
            "external_id": "Id",
            "first_name": "FirstName",
            "last_name": "LastName",
            "email": "Email",
            "title": "Title",
            "phone": "Phone",
            "manager": "ManagerId",
        },
    },
    "accounts": {
        "columns": {
            "external_id": "Id",
            "name": "Name",
            "industry": "Industry",
            "annual_revenue": "AnnualRevenue",
            "employees": "NumberOfEmployees",
            "country": "BillingCountry",
            "region": "BillingState",
            "city": "BillingCity",
            "website": "Website",
            "parent": "ParentId",
            "owner": "OwnerId",
        },
        "values": {"country": COUNTRIES},
        "defaults": {"segment": "mid_market"},
    },
    "contacts": {
        "columns": {
            "external_id": "Id",
            "account": "AccountId",
            "first_name": "FirstName",
            "last_name": "LastName",
            "email": "Email",
            "phone": "Phone",
            "job_title": "Title",
            "owner": "OwnerId",
        },
    },
    "leads": {
        "columns": {
            "external_id": "Id",
            "company": "Company",
            "contact_name": "Name",
            "email": "Email",
            "phone": "Phone",
            "source": "LeadSource",
            "status": "Status",
            "received_on": "CreatedDate",
            "owner": "OwnerId",
            "notes": "Description",
        },
        "values": {"source": SALESFORCE_LEAD_SOURCES, "status": SALESFORCE_LEAD_STATUS},
    },
    "deals": {
        "columns": {
            "external_id": "Id",
            "name": "Name",
            "account": "AccountId",
            "owner": "OwnerId",
            "amount": "Amount",
            "stage": "StageName",
            "created_on": "CreatedDate",
            "expected_close_on": "CloseDate",
            "closed_on": "CloseDate",
            "probability": "Probability",
        },
        "values": {"stage": SALESFORCE_STAGES},
    },
    "activities": {
        "columns": {
            "external_id": "Id",
            "owner": "OwnerId",
            "kind": "Type__c",
            "occurred_at": "ActivityDate",
            "subject": "Subject",
            "notes": "Description",
            "account": "AccountId",
            "minutes": "CallDurationInSeconds",
        },
        "values": {"kind": SALESFORCE_TASK_TYPES},
        "defaults": {"kind": "call"},
        "options": {"divide": {"minutes": 60}},  # CallDurationInSeconds
    },
}

HUBSPOT: dict[str, dict[str, Any]] = {
    "accounts": {
        "columns": {
            "external_id": "Record ID",
            "name": "Company name",
            "industry": "Industry",
            "annual_revenue": "Annual Revenue",
            "employees": "Number of Employees",
            "country": "Country/Region",
            "region": "State/Region",
            "city": "City",
            "website": "Website URL",
            "owner": "Company owner",
        },
        "values": {"country": COUNTRIES},
        "defaults": {"segment": "mid_market"},
    },
    "contacts": {
        "columns": {
            "external_id": "Record ID",
            "first_name": "First Name",
            "last_name": "Last Name",
            "email": "Email",
            "phone": "Phone Number",
            "job_title": "Job Title",
            "account": "Associated Company IDs",
            "owner": "Contact owner",
        },
    },
    "deals": {
        "columns": {
            "external_id": "Record ID",
            "name": "Deal Name",
            "amount": "Amount",
            "stage": "Deal Stage",
            "created_on": "Create Date",
            "expected_close_on": "Close Date",
            "closed_on": "Close Date",
            "owner": "Deal owner",
            "account": "Associated Company IDs",
        },
        "values": {
            "stage": {
                "Appointment Scheduled": "qualification",
                "Qualified To Buy": "qualification",
                "Presentation Scheduled": "needs_analysis",
                "Decision Maker Bought-In": "proposal",
                "Contract Sent": "negotiation",
                "Closed Won": "won",
                "Closed Lost": "lost",
            }
        },
    },
}

PIPEDRIVE: dict[str, dict[str, Any]] = {
    "accounts": {
        "columns": {
            "external_id": "Organization - ID",
            "name": "Organization - Name",
            "owner": "Organization - Owner",
            "city": "Organization - Address - City/town/village/locality",
            "country": "Organization - Address - Country",
        },
        "values": {"country": COUNTRIES},
        "defaults": {"segment": "mid_market"},
    },
    "contacts": {
        "columns": {
            "external_id": "Person - ID",
            "name": "Person - Name",
            "email": "Person - Email",
            "phone": "Person - Phone",
            "account": "Person - Organization",
            "owner": "Person - Owner",
        },
    },
    "deals": {
        "columns": {
            "external_id": "Deal - ID",
            "name": "Deal - Title",
            "amount": "Deal - Value",
            "currency": "Deal - Currency",
            "stage": "Deal - Stage",
            "created_on": "Deal - Deal created",
            "expected_close_on": "Deal - Expected close date",
            "closed_on": "Deal - Won time",
            "owner": "Deal - Owner",
            "account": "Deal - Organization",
        },
        "values": {
            "stage": {
                "Lead In": "prospecting",
                "Contact Made": "qualification",
                "Demo Scheduled": "needs_analysis",
                "Proposal Made": "proposal",
                "Negotiations Started": "negotiation",
            }
        },
    },
    "activities": {
        "columns": {
            "external_id": "Activity - ID",
            "kind": "Activity - Type",
            "subject": "Activity - Subject",
            "occurred_at": "Activity - Due date",
            "minutes": "Activity - Duration",
            "owner": "Activity - Assigned to user",
            "deal": "Activity - Deal ID",
        },
        "values": {"kind": {"Call": "call", "Meeting": "meeting", "Email": "email"}},
    },
}

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "salesforce": SALESFORCE,
    "hubspot": HUBSPOT,
    "pipedrive": PIPEDRIVE,
}
