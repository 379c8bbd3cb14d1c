//! Wire types of the admin API for agreements, their versions, templates and the
//! company details templates are filled from.
