"""What PT Nusantara Niaga, the demo company, is made of: its competency catalogue, divisions and cities.

Data only; people/demo.py generates the people from it.
"""

from __future__ import annotations

# (code, name, description, descriptors for levels 1–5)
CATALOGUE: list[tuple[str, str, str, list[str]]] = [
    (
        "NEG",
        "Negotiation",
        "Reaching agreements that keep margin and the relationship.",
        [
            "Follows the price list and escalates any request for a discount.",
            "Prepares a simple give-and-get before meeting a distributor or buyer.",
            "Negotiates annual terms with mid-sized accounts within the approved margin.",
            "Leads multi-party negotiations with modern-trade chains and principals.",
            "Sets the negotiation strategy for the company's largest accounts and coaches others in it.",
        ],
    ),
    (
        "CUS",
        "Customer insight",
        "Understanding what customers and outlets need and why they buy.",
        [
            "Records customer requests and complaints accurately.",
            "Spots patterns in the requests of their own outlets or accounts.",
            "Uses sell-out data and visits to explain why a customer buys or stops buying.",
            "Turns insight into changes to assortment, service or pricing for a region.",
            "Shapes the company's offer from a deep reading of markets across the archipelago.",
        ],
    ),
    (
        "COA",
        "Coaching others",
        "Helping colleagues grow through questions, feedback and practice.",
        [
            "Shares how they do their own work when asked.",
            "Gives specific, timely feedback to peers and new joiners.",
            "Holds regular coaching conversations that leave the other person with a plan.",
            "Builds the capability of a whole team; their people are promoted.",
            "Develops leaders who coach; is sought out as a mentor across divisions.",
        ],
    ),
    (
        "FIN",
        "Financial acumen",
        "Reading the numbers of the business and deciding with them.",
        [
            "Knows the cost and price of what they sell or buy.",
            "Reads a branch or department budget and explains the main variances.",
            "Builds a business case with cash flow, margin and payback.",
            "Manages a P&L and trades off growth, margin and working capital.",
            "Steers the company's financial strategy and capital allocation.",
        ],
    ),
    (
        "DAT",
        "Data literacy",
        "Finding, questioning and using data to decide.",
        [
            "Reads standard reports and dashboards correctly.",
            "Builds their own spreadsheet analysis from system extracts.",
            "Questions data quality and combines sources to answer a business question.",
            "Designs the measures and reports a department runs on.",
            "Sets how the company governs and uses its data.",
        ],
    ),
    (
        "STK",
        "Stakeholder management",
        "Keeping the people who matter informed, involved and on side.",
        [
            "Knows who depends on their work and keeps them informed.",
            "Adapts updates to each stakeholder and raises issues early.",
            "Aligns several departments with different interests around one plan.",
            "Manages senior and external stakeholders (principals, regulators, partners).",
            "Builds lasting coalitions at board level and across the industry.",
        ],
    ),
    (
        "PRJ",
        "Project delivery",
        "Planning and delivering work on time, on budget and to scope.",
        [
            "Completes assigned tasks by the agreed date.",
            "Plans their own small projects with milestones and risks.",
            "Delivers cross-team projects and recovers them when they slip.",
            "Runs a portfolio of projects and the governance around it.",
            "Sets the company's way of delivering change and is accountable for its largest programmes.",
        ],
    ),
    (
        "PUB",
        "Public speaking",
        "Presenting with clarity and confidence in Bahasa Indonesia and English.",
        [
            "Presents their own work to their team with notes.",
            "Presents to other departments and answers questions calmly.",
            "Persuades a management audience with a clear storyline.",
            "Represents the company at customer events and industry forums.",
            "Speaks for the company in the media and at national events.",
        ],
    ),
    (
        "STR",
        "Strategic thinking",
        "Seeing the long view and choosing where to play and how to win.",
        [
            "Understands how their work links to the department's goals.",
            "Suggests improvements that go beyond their own tasks.",
            "Sets a department's priorities for the next one to two years.",
            "Shapes a division's strategy from market and competitor trends.",
            "Sets the company's direction and the bets that define it.",
        ],
    ),
    (
        "DMK",
        "Digital marketing",
        "Reaching customers through e-commerce, social media and data-driven campaigns.",
        [
            "Knows the company's channels and posts approved content.",
            "Runs simple campaigns on marketplaces and social media.",
            "Plans campaigns with targets and measures their return.",
            "Leads the digital channel strategy for a brand or region.",
            "Sets the company's omnichannel and e-commerce strategy.",
        ],
    ),
    (
        "CHG",
        "Leading change",
        "Helping people through new systems, structures and ways of working.",
        [
            "Adopts new processes and tools when asked.",
            "Explains the reasons for a change to colleagues and supports them.",
            "Leads a change in their team and handles resistance with care.",
            "Leads a change across departments or regions and sustains it.",
            "Leads company-wide transformation and the culture that carries it.",
        ],
    ),
    (
        "TIM",
        "Time management",
        "Choosing what matters and getting it done without drama.",
        [
            "Keeps a to-do list and meets most deadlines.",
            "Plans the week and protects time for important work.",
            "Balances competing requests and renegotiates deadlines early.",
            "Organises a team's workload so that peaks are handled calmly.",
            "Models focus and sustainable pace for the whole organisation.",
        ],
    ),
]

# Divisions: code, name, director's title, weight, departments (code, name, job of its staff), focus competencies.
DIVISIONS = [
    (
        "SAL",
        "Sales",
        "Sales Director",
        0.35,
        [
            ("KA", "Key Accounts", "Key Account Executive"),
            ("DI", "Distribution", "Distribution Officer"),
            ("MK", "Marketing", "Marketing Officer"),
            ("CS", "Customer Service", "Customer Service Officer"),
        ],
        ["NEG", "CUS", "DMK", "PUB", "STK"],
    ),
    (
        "OPS",
        "Operations",
        "Operations Director",
        0.30,
        [
            ("WH", "Warehousing", "Warehouse Officer"),
            ("LG", "Logistics", "Logistics Coordinator"),
            ("PR", "Procurement", "Procurement Officer"),
        ],
        ["PRJ", "TIM", "DAT", "STK", "NEG"],
    ),
    (
        "FIN",
        "Finance",
        "Finance Director",
        0.10,
        [("AC", "Accounting", "Accountant"), ("TX", "Tax", "Tax Officer"), ("TR", "Treasury", "Treasury Analyst")],
        ["FIN", "DAT", "STK", "TIM"],
    ),
    (
        "TEC",
        "Technology",
        "Chief Technology Officer",
        0.15,
        [
            ("AP", "Applications", "Software Engineer"),
            ("IN", "Infrastructure", "Infrastructure Engineer"),
            ("DA", "Data & Analytics", "Data Analyst"),
        ],
        ["DAT", "PRJ", "CHG", "TIM"],
    ),
    (
        "HC",
        "Human Capital",
        "Human Capital Director",
        0.10,
        [
            ("LD", "Learning & Development", "Learning Specialist"),
            ("PA", "People Analytics", "HR Analyst"),
            ("RC", "Recruitment", "Recruiter"),
        ],
        ["COA", "STK", "CHG", "PUB"],
    ),
]
# City, code, time zone, share of teams, extra regional language.
CITIES = [
    ("Jakarta", "JKT", "Asia/Jakarta", 0.45, ""),
    ("Surabaya", "SBY", "Asia/Jakarta", 0.20, "jv"),
    ("Bandung", "BDG", "Asia/Jakarta", 0.15, "su"),
    ("Medan", "MDN", "Asia/Jakarta", 0.10, ""),
    ("Makassar", "MKS", "Asia/Makassar", 0.10, ""),
]
TEAM_SIZE = 8  # a lead and seven people
