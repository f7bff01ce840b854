// Every string the web application shows, in one place: `en` here, and
// one catalogue per language (strings_ms.js, strings_th.js). To add a
// language (vi, id, km, ...): copy strings_ms.js, translate the values, add
// it to `catalogs` and LANGUAGES. {name} is replaced by t(key, {name: value}).
// Terms of art (TLP, MRZ, IBAN, URL) stay as they are in every language.
import { ms } from './strings_ms.js';
import { th } from './strings_th.js';

export const en = {
  'app.name': 'Simpul',
  'app.tagline': 'Shared crime-intelligence node for Anti-Scam Centres, police and their partners',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.error': 'Something went wrong: {detail}',
  'app.offline': 'The node did not answer. Check your connection and try again.',
  'app.field': 'Field: {field}',

  'nav.label': 'Main',
  'nav.dashboard': 'Dashboard',
  'nav.intake': 'New report',
  'nav.search': 'Search',
  'nav.alerts': 'Alerts',
  'nav.persons': 'Persons',
  'nav.networks': 'Networks',
  'nav.notices': 'Notices',
  'nav.requests': 'Requests',
  'nav.audit': 'Audit',
  'nav.public': 'Public check',
  'nav.signout': 'Sign out',
  'nav.signedin': 'Signed in as {name} ({role}, {agency})',

  'role.admin': 'administrator', 'role.analyst': 'analyst', 'role.investigator': 'investigator',
  'role.supervisor': 'supervisor', 'role.partner': 'partner', 'role.auditor': 'auditor', 'role.public': 'public',

  'signin.title': 'Sign in',
  'signin.intro': 'Sign in with the user name and password your node administrator gave you, or with an API token.',
  'signin.password.legend': 'User name and password',
  'signin.username': 'User name',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.token.legend': 'API token',
  'signin.token': 'Token (spl_…)',
  'signin.token.submit': 'Sign in with the token',
  'signin.token.help': 'The token stays in this browser only for the sign-in; the page then uses a session that ends after 12 hours or when you sign out.',
  'signin.failed': 'Wrong user name or password, or an unknown, revoked or expired token.',
  'signin.public': 'Not with an agency? Check a number, account or website, or report a scam, on the public page.',
  'signin.signedout': 'You are signed out.',

  'unavailable.title': '{page}: not available on this node yet',
  'unavailable.body': 'This node does not offer {api} yet, so there is nothing to show here. Nothing on this page is made up.',
  'unavailable.planned': 'This page is planned; it will appear when the node offers {api}.',
  'unavailable.ui': 'This node offers {api}, but this page has not been built into the web application yet. Use the API (see the documentation).',
  'unavailable.docs': 'API documentation',

  'dash.title': 'Dashboard',
  'dash.matches.day': 'Matches with other agencies, per day (last 30 days)',
  'dash.matches.week': 'Matches with other agencies this week, by agency',
  'dash.matches.visibility': 'How much your matches show (all time)',
  'dash.full': 'full record', 'dash.hit': 'hit only: contact the holder',
  'dash.none': 'No matches yet.',
  'dash.from.alerts': 'From your agency\'s alerts ({n} read).',
  'dash.node': 'This node',
  'dash.metric.reports': 'Reports stored',
  'dash.metric.postings': 'Selector occurrences',
  'dash.metric.agencies': 'Agencies',
  'dash.metric.checks': 'Checks answered since start',
  'dash.metric.matches': 'Matches since start',
  'dash.stats.title': 'Reports and losses over time, by scam type and by country',
  'dash.networks.title': 'Top networks',
  'dash.chart.fallback': 'Chart data as a table',
  'dash.day': 'Day', 'dash.agency': 'Agency', 'dash.count': 'Matches',
  'dash.reports.month': 'Reports and losses ({cur}) by month of the scam',
  'dash.reports.note': '{n} reports you may read; {l} with a loss you may see. Losses in other currencies are in the table.',
  'dash.reports.scam': 'Reports by kind of scam',
  'dash.reports.country': 'Reports by country: of the victim, and of the agency that filed them',
  'dash.reports': 'Reports', 'dash.loss': 'Loss ({cur})', 'dash.month': 'Month', 'dash.country': 'Country',
  'dash.victims': 'Victim\'s country', 'dash.filers': 'Filed in',
  'dash.none.reports': 'No reports you may read yet.',

  'intake.title': 'New report',
  'intake.details': 'The incident',
  'intake.reference': 'Your reference',
  'intake.occurred': 'Date it happened',
  'intake.scamtype': 'Kind of scam',
  'intake.loss': 'Loss (in the currency\'s main unit, e.g. 12500.50)',
  'intake.currency': 'Currency',
  'intake.victimcountry': 'Victim\'s country',
  'intake.narrative': 'What happened',
  'intake.selectors': 'Phone numbers, accounts, websites and wallets involved',
  'intake.selectors.help': 'One per row. The type is detected as you type; change it if it is wrong. The line under each row shows the canonical form the node will match on.',
  'intake.row': 'Row {n}',
  'intake.value': 'Value',
  'intake.type': 'Type',
  'intake.type.auto': 'Detect ({type})',
  'intake.type.auto.none': 'Detect',
  'intake.role': 'Role in the scam',
  'intake.country': 'Country',
  'intake.bank': 'Bank code or BIC',
  'intake.provider': 'E-wallet provider',
  'intake.chain': 'Blockchain',
  'intake.platform': 'Platform',
  'intake.addrow': 'Add another row',
  'intake.removerow': 'Remove row {n}',
  'intake.fb.empty': 'Type a value.',
  'intake.fb.checking': 'Checking…',
  'intake.fb.valid': 'Will match as {key}',
  'intake.fb.invalid': 'Kept as {key}, but flagged: {flag}',
  'intake.fb.derived': 'also matches {keys}',
  'intake.fb.error': 'Cannot be kept: {detail}',
  'intake.fb.notype': 'Choose a type: it could not be detected.',
  'intake.markings': 'Who may see this report',
  'intake.share.own': 'Only my agency',
  'intake.share.own.help': 'Nobody else sees it. (TLP:AMBER, released to no one.)',
  'intake.share.members': 'Police and anti-scam centres of ASEAN member countries',
  'intake.share.members.help': 'Law enforcement of BN KH ID LA MY MM PH SG TH VN read it in full; not dialogue partners, not banks. (TLP:AMBER, MEMBERS)',
  'intake.share.allle': 'All law enforcement, including dialogue partners such as the UK',
  'intake.share.allle.help': 'Every police force and anti-scam centre on the node; not banks, telcos or platforms. (TLP:GREEN, ALL_LE)',
  'intake.share.private': 'All law enforcement, and banks, telcos and platforms',
  'intake.share.private.help': 'Partners see the selectors and core facts, never the narrative, loss or victim. (TLP:AMBER, ALL_LE + PRIVATE)',
  'intake.share.public': 'Public',
  'intake.share.public.help': 'Anyone may learn how many reports name these numbers and accounts (never the content). (TLP:CLEAR)',
  'intake.outsiders': 'When someone outside this audience searches the same number or account',
  'intake.disc.hit': 'Tell them a record exists and that they should contact us',
  'intake.disc.hit.help': 'They see our agency and a contact reference, nothing else.',
  'intake.disc.silent': 'Tell them nothing, and tell us that they searched',
  'intake.disc.silent.help': 'For sensitive operations. Their search looks exactly as if nothing matched.',
  'intake.orcon': 'Do not share onwards (no export or federation beyond this audience)',
  'intake.save': 'Save the report',
  'intake.saving': 'Saving…',
  'intake.saved': 'Saved as {id}.',
  'intake.open': 'Open the report',
  'intake.matches': 'Matches with other agencies',
  'intake.matches.none': 'No other agency holds these selectors (that you may know of).',
  'intake.needselector': 'Add at least one selector, or describe the incident.',

  'scam.investment': 'Investment scam', 'scam.love': 'Romance scam', 'scam.job': 'Job or task scam',
  'scam.impersonation': 'Impersonation of officials', 'scam.ecommerce': 'Online shopping scam',
  'scam.loan': 'Loan scam', 'scam.phishing': 'Phishing', 'scam.mule': 'Money mule', 'scam.other': 'Other',
  'scam.crypto_investment': 'Crypto investment scam', 'scam.parcel': 'Parcel or delivery scam',
  'scam.impersonation_police': 'Impersonation of police', 'scam.impersonation_bank': 'Impersonation of a bank',
  'scam.sextortion': 'Sextortion', 'scam.unspecified': 'Not given',

  'seltype.phone': 'Phone number', 'seltype.bank_account': 'Bank account', 'seltype.iban': 'IBAN',
  'seltype.ewallet': 'E-wallet', 'seltype.crypto': 'Crypto wallet', 'seltype.url': 'Website address (URL)',
  'seltype.domain': 'Domain', 'seltype.email': 'Email address', 'seltype.ip': 'IP address',
  'seltype.handle': 'Social media or chat handle', 'seltype.imei': 'Phone IMEI',
  'seltype.national_id': 'National ID number', 'seltype.passport': 'Passport number',

  'selrole.scammer_contact': 'Scammer\'s contact', 'selrole.mule_account': 'Mule account (received money)',
  'selrole.payment_destination': 'Where the victim paid', 'selrole.phishing_site': 'Scam website',
  'selrole.victim_account': 'Victim\'s own account', 'selrole.unspecified': 'Not sure',

  'search.title': 'Search',
  'search.label': 'Phone number, account, URL, wallet, email, name or document number',
  'search.submit': 'Search',
  'search.type': 'Search as',
  'search.type.auto': 'Detect ({type})',
  'search.country': 'Country for national numbers',
  'search.bank': 'Bank code or BIC (for accounts)',
  'search.nohit': 'No record of {key} that you may know about.',
  'search.hit': '{key}: {n} record(s)',
  'search.invalid': 'Note: {key} did not pass validation; it was searched as typed.',
  'search.records': 'Records you may read',
  'search.contacts': 'Held by other agencies',
  'search.persons': 'Persons and documents',
  'search.persons.unavailable': 'Name and document search is not available on this node yet.',
  'search.empty': 'Type something to search for.',

  'hit.line': 'held by {agency} — contact reference {ref}',

  'report.title': 'Report {id}',
  'report.notfound': 'There is no report {id} that you may see.',
  'report.hitonly': 'This record exists, but it is not released to you.',
  'report.agency': 'Held by', 'report.reference': 'Reference', 'report.created': 'Filed',
  'report.occurred': 'Happened', 'report.scamtype': 'Kind of scam', 'report.status': 'Status',
  'report.loss': 'Loss', 'report.victimcountry': 'Victim\'s country', 'report.markings': 'Markings',
  'report.narrative': 'What happened', 'report.selectors': 'Selectors', 'report.matches': 'Related reports',
  'report.victim': 'Victim (your agency only)',
  'report.sel.flagged': 'flagged: {flag}',
  'report.match.full': 'report {report} of {agency}',

  'selector.title': 'Selector {key}',

  'alerts.title': 'Alerts',
  'alerts.live': 'Live: new alerts appear here as they arrive.',
  'alerts.poll': 'New alerts are fetched every {s} seconds.',
  'alerts.none': 'No alerts yet.',
  'alerts.kind.match': 'Match',
  'alerts.kind.silent_search': 'Someone searched your silent record',
  'alerts.kind.silent_match': 'Someone filed the same selector as your silent record',
  'alerts.kind.silent_read': 'Someone asked for your silent record',
  'alerts.match.full': '{agency} filed report {report} sharing {key} with your report {yours}.',
  'alerts.match.hit': '{key} of your report {yours} is also {hitline}.',
  'alerts.silent': '{agency} ({action}) touched {key} of your silent report {yours}.',
  'alerts.new': '{n} new alert(s)',
  'alerts.open.yours': 'your report',
  'alerts.open.theirs': 'their report',

  'audit.title': 'Audit trail',
  'audit.verify': 'Chain verification',
  'audit.verify.ok': 'The chain is intact: {n} entries verified.',
  'audit.verify.bad': 'The chain is BROKEN: {detail}',
  'audit.verify.run': 'Verify again',
  'audit.search': 'Search the trail',
  'audit.principal': 'Principal id', 'audit.agency': 'Agency', 'audit.action': 'Action starts with',
  'audit.outcome': 'Outcome starts with', 'audit.text': 'Text anywhere in the entry',
  'audit.submit': 'Search', 'audit.older': 'Older entries',
  'audit.none': 'No entries match.',
  'audit.scope.all': 'You see every entry of this node.',
  'audit.scope.agency': 'You see the entries of your own agency.',
  'audit.col.seq': '#', 'audit.col.ts': 'Time (UTC)', 'audit.col.who': 'Who', 'audit.col.action': 'Action',
  'audit.col.object': 'Object', 'audit.col.outcome': 'Outcome', 'audit.col.why': 'Purpose / case',

  'public.title': 'Check before you pay',
  'public.intro': 'Check a phone number, bank account or website against reports made to the authorities. You only see how often it was reported publicly, never the reports.',
  'public.type': 'What are you checking?',
  'public.value': 'Number, account or website',
  'public.country': 'Country',
  'public.bank': 'Bank code or BIC (for an account)',
  'public.submit': 'Check',
  'public.result.none': 'No public reports name {key}. This does not prove it is safe.',
  'public.result.some': 'Reported {n} times in {m} countries, last on {date}.',
  'public.unavailable': 'The public check is not available on this node yet.',
  'public.report.title': 'Report a scam',
  'public.report.intro': 'Tell the authorities what happened. Give the numbers, accounts and websites the scammer used.',
  'public.report.what': 'What happened',
  'public.report.selector': 'The scammer\'s number, account or website',
  'public.report.contact': 'How can we reach you? (optional)',
  'public.report.submit': 'Send the report',
  'public.report.unavailable': 'Reports from the public cannot be received on this node yet. Please call your national scam hotline.',
  'public.report.sent': 'Thank you. Your report was received with reference {ref}.',
  'public.signin': 'Staff sign-in',

  'persons.name': 'Persons',
  'networks.name': 'Networks',
  'notices.name': 'Notices',
  'requests.name': 'Requests to partners',
  'network.name': 'Network graph',

  // Networks, graph, watchlists (issue 4 APIs).
  'nav.watches': 'Watchlist',
  'net.intro': 'Reports joined by shared numbers, accounts and websites. You see the part the sharing rules let you see.',
  'net.bykey': 'Networks naming a selector',
  'net.bykey.help': 'A canonical key, e.g. phone:+60123456789 (open a selector from a report or search to get one).',
  'net.find': 'Find networks',
  'net.forkey': 'Networks naming {key}: {n}',
  'net.none': 'You see no network yet: no two reports you may see share a selector.',
  'net.none.key': 'No network you see names this selector.',
  'net.more': 'More networks',
  'net.id': 'Network', 'net.reports': 'Reports you may read', 'net.hidden': 'Held by others', 'net.agencies': 'Agencies',
  'net.countries': 'Countries', 'net.victimcountries': 'Victims\' countries', 'net.loss': 'Losses', 'net.scamtypes': 'Scam types',
  'net.seen': 'Seen', 'net.seen.range': '{first} to {last}', 'net.last': 'Last seen',
  'net.title': 'Network {id}',
  'net.notfound': 'There is no network {id} that you may see.',
  'net.graph': 'Graph',
  'net.graph.label': 'Network graph of {n} nodes; the same nodes are listed beside it.',
  'net.graph.key': 'Show the graph around this selector',
  'net.graph.title.key': 'Graph around {key}',
  'net.graph.nokey': 'No report you may see names {key}.',
  'net.graph.failed': 'The graph could not be drawn ({detail}); the list beside it holds every node.',
  'net.legend': 'Blue squares: reports you may read. Dashed squares: reports held by other agencies (ask them). Yellow circles: selectors. Grey: generic values that do not link.',
  'net.list.label': 'Nodes of the graph',
  'net.list.help': 'Arrow keys move between nodes; Enter shows one.',
  'net.pick': 'Pick a node in the graph or the list to see what it is.',
  'net.node.report': 'Report {id} ({agency})',
  'net.node.report.long': 'Report {id}, filed by {agency}.',
  'net.node.hit': 'Held by {agency}',
  'net.node.hit.long': 'A report held by {agency}: you may know it exists; ask them with its contact reference.',
  'net.node.selector': 'Selector',
  'net.open.report': 'Open the report',
  'net.generic': 'generic value: {rule}',
  'net.nolink': 'does not link reports',
  'net.hidden.more': '+{n} records held by other agencies',
  'net.hidden.help': 'Their holders can be asked through the contact reference shown on each.',
  'net.truncated': 'The graph was cut at its size limit: not every node is drawn.',
  'net.top': 'Selectors that join it',
  'net.degree': 'in {n} report(s)',
  'net.ofreport': 'Networks',
  'net.ofreport.none': 'This report is in no network you see.',
  'net.ofkey': 'Networks naming it',
  'net.link': 'Network {id} ({n} reports you may read)',
  'watch.selector': 'Watch this selector',
  'watch.network': 'Watch this network',
  'watch.done': 'Watching: new reports will put an alert in your inbox.',
  'watch.title': 'Watchlist',
  'watch.intro': 'Watch a selector or a network: every new report that names it, or joins it, puts an alert in your own inbox.',
  'watch.kind': 'What to watch', 'watch.kind.selector': 'Selector', 'watch.kind.network': 'Network',
  'watch.target': 'Canonical key or network id',
  'watch.target.help': 'e.g. phone:+60123456789 or net_3f1c9a0d2b7e4c15',
  'watch.add': 'Watch',
  'watch.yours': 'What you watch',
  'watch.none': 'You watch nothing yet.',
  'watch.remove': 'Stop watching',
  'watch.remove.label': 'Stop watching {target}',
  'alerts.kind.watch': 'Watched',
  'alerts.kind.notice': 'Notice',
  'alerts.kind.request': 'Partner request',
  'alerts.kind.request_answer': 'Answer to a request',
  'alerts.kind.request_overdue': 'Request overdue',
  'alerts.kind.request_escalated': 'Request escalated',
  'alerts.watch': '{agency} filed a report on what you watch:',
  'alerts.notice': '{agency} issued a {kind} notice: {title}.',
  'alerts.request': '{from} → {partner}: {action}, {status}.',
  'requests.open': 'Open the request',

  // Persons and notices (issue 3 APIs).
  'person.intro': 'Search persons by name in any script, with date of birth and nationality to narrow it. Every score comes with its reasons.',
  'person.name': 'Name', 'person.dob': 'Date of birth', 'person.dob.help': 'YYYY, YYYY-MM or YYYY-MM-DD (optional)',
  'person.nationality': 'Nationality', 'person.nationality.help': 'Two-letter country code, e.g. MY (optional)',
  'person.results': 'Persons',
  'person.threshold': 'Scores at or above {th} must be looked at by an analyst.',
  'person.none': 'No person record you may read resembles this name.',
  'person.score': 'score {s}',
  'person.score.alert': 'score {s}: above the alert threshold',
  'person.ex.name': 'Closest name on the record: {name} ({score} alike)',
  'person.ex.token': '"{q}" ~ "{m}": {how}, {sim}',
  'person.ex.unq': 'Not on the record: {list}',
  'person.ex.unr': 'On the record only: {list}',
  'person.ex.dob': 'Date of birth: {v}', 'person.ex.nationality': 'Nationality: {v}', 'person.ex.whole_name': 'Compared as a whole name: {v}',
  'person.ex.patronym': 'Own and father\'s names swapped: {v}', 'person.ex.alias': 'Matched an alias: {v}', 'person.ex.document': 'Document: {v}',
  'how.exact': 'exact', 'how.equivalent': 'equivalent name', 'how.spelling': 'spelling variant', 'how.phonetic': 'sounds alike', 'how.initial': 'initial',
  'person.forbidden': 'Person search is for law enforcement only.',
  'person.title': 'Person {id}',
  'person.notfound': 'There is no person {id} that you may see.',
  'person.ref': 'Reference', 'person.role': 'Role', 'person.gender': 'Gender', 'person.names': 'Names',
  'person.documents': 'Documents', 'person.links': 'Linked reports and selectors',
  'prole.wanted': 'wanted', 'prole.suspect': 'suspect', 'prole.victim_of_trafficking': 'victim of trafficking', 'prole.missing': 'missing',
  'prole.sanctioned': 'sanctioned', 'prole.witness': 'witness', 'prole.other': 'other',
  'notice.intro': 'Notices other agencies issued to yours. Acknowledge each one so the issuer knows it was read.',
  'notice.none': 'No notices for your agency.',
  'notice.meta': '{kind} notice from {agency}, {date}',
  'notice.wanted_person': 'wanted person', 'notice.modus_operandi': 'modus operandi', 'notice.warning': 'warning',
  'notice.acked': 'Acknowledged by your agency.',
  'notice.unacked': 'Not acknowledged yet.',
  'notice.ack': 'Acknowledge',
  'notice.ack.label': 'Acknowledge the notice {title}',
  'notice.person': 'person {id}',
  'public.ratelimited': 'Too many checks from your connection just now. Please wait a few seconds and try again.',
  'public.bad': 'This could not be checked: {detail}',

  // Partner requests (issue 7 API).
  'req.intro.le': 'Ask a bank, telco or platform to freeze an account, block a number, take down a site or give information. They see only what the request carries, never your reports.',
  'req.intro.partner': 'Requests from Anti-Scam Centres and police to your organisation. Answer each one; the sender sees every change at once.',
  'req.send': 'Send a request', 'req.send.submit': 'Send the request',
  'req.partner': 'Partner (agency id)', 'req.partner.help': 'e.g. MY-BANK1',
  'req.action': 'Action', 'req.action.help': 'Must fit the partner: freeze for banks, block for telcos, takedown for platforms.',
  'action.freeze': 'freeze', 'action.block': 'block', 'action.takedown': 'take down', 'action.info': 'information',
  'rstatus.sent': 'sent', 'rstatus.accepted': 'accepted', 'rstatus.rejected': 'rejected', 'rstatus.completed': 'completed', 'rstatus.withdrawn': 'withdrawn',
  'rstatus.overdue': 'overdue', 'rstatus.escalated': 'escalated',
  'req.value': 'Account, number, URL or handle',
  'req.report': 'Your report (optional)', 'req.report.help': 'A report id you may read; only your agency sees it.',
  'req.note': 'Note', 'req.sent': 'Sent to {partner}; due {due}.',
  'req.link': '{action} {id}', 'req.list': 'Requests', 'req.none': 'No requests sent or received yet.',
  'req.col.request': 'Request', 'req.col.from': 'From', 'req.col.partner': 'Partner', 'req.col.status': 'Status', 'req.col.due': 'Due',
  'req.col.selectors': 'Selectors',
  'req.overdue': 'overdue', 'req.escalated': 'escalated',
  'req.title': 'Request {id}', 'req.notfound': 'There is no such request between your agency and another.',
  'req.created': 'Sent', 'req.frozen': 'Amount frozen', 'req.recovered': 'Amount recovered', 'req.currency': 'Currency',
  'req.selectors': 'What to act on', 'req.reports': 'Your reports behind it', 'req.timeline': 'Timeline', 'req.thenode': 'the node',
  'req.answer': 'Answer', 'req.answer.submit': 'Send the answer', 'req.newstatus': 'New status',
  'req.withdraw': 'Withdraw', 'req.withdraw.submit': 'Withdraw the request',
  'req.amount.bad': '{field}: give an amount like 12500.50',

  // Language, formats.
  'lang.label': 'Language',
  'fmt.utc': '{time} UTC',

  // Top networks on the dashboard (GET /api/v1/networks).
  'dash.networks.note': 'The {n} largest of the {total} networks you see, by reports you may read.',
  'dash.networks.partial': 'Only the first {total} networks you see were looked at (more exist: see the networks page).',
  'dash.networks.none': 'You see no network yet: no two reports you may see share a selector.',
  'dash.networks.all': 'All networks',
  'dash.networks.label': 'Network {id}: {n} reports you may read, {hidden} held by others',

  // Travel documents (issue 3 API: POST /api/v1/documents/check and /api/v1/documents).
  'nav.documents': 'Documents',
  'doc.title': 'Travel documents',
  'doc.intro': 'Check a passport, ID card or visa against the documents agencies have recorded as lost, stolen or revoked. You see the records the sharing rules let you see; for the others, who holds them.',
  'doc.bynumber': 'By issuing country and number',
  'doc.bymrz': 'By the machine-readable zone (MRZ)',
  'doc.country': 'Issuing country',
  'doc.country.help': 'The country that issued the document.',
  'doc.number': 'Document number',
  'doc.mrz': 'MRZ, 2 or 3 lines',
  'doc.mrz.help': 'The lines of letters, digits and < at the foot of the passport page (2 lines) or on the back of an ID card (3 lines). Paste or type them as they are; the node verifies every check digit.',
  'doc.mrz.what': 'The document in the MRZ',
  'doc.mrz.read': '{what} (as read from the MRZ)',
  'doc.markings': 'Who may see this record',
  'gender.male': 'male', 'gender.female': 'female', 'gender.other': 'other', 'gender.unknown': 'unknown',
  'exv.differs': 'differs', 'exv.unknown': 'not known', 'exv.same_year': 'same year', 'exv.same_date': 'same date',
  'exv.same': 'same', 'exv.weak': 'a weak alias', 'exv.same_number': 'same number',
  'disc.hit': 'outsiders are told whom to contact', 'disc.silent': 'silent: outsiders are told nothing',
  'doc.submit': 'Check the document',
  'doc.submit.mrz': 'Check the MRZ',
  'doc.empty': 'Give a document number, or paste an MRZ.',
  'doc.hit': '{what}: recorded — {n} record(s)',
  'doc.nohit': '{what}: no record you may see',
  'doc.nohit.help': 'No agency has recorded this document as lost, stolen or revoked in a record you may know of. This does not prove the document is genuine.',
  'doc.mrz.valid': 'MRZ check digits: all correct.',
  'doc.mrz.invalid': 'MRZ check digits: not correct. The document may be forged or mistyped.',
  'doc.errors': 'Problems found',
  'doc.err.check': 'The check digit of the {field} does not match.',
  'doc.err.format': 'This is not an MRZ of 2 lines of 44 or 36 characters, or 3 lines of 30.',
  'doc.err.country': 'The issuing country is not a known country code.',
  'doc.err.number': 'The number must be 1 to 20 letters and digits.',
  'doc.err.asread': 'The node checked the number as it reads in the MRZ; it never guesses a correction.',
  'mrzfield.document_number': 'document number', 'mrzfield.date_of_birth': 'date of birth', 'mrzfield.date_of_expiry': 'date of expiry',
  'mrzfield.personal_number': 'personal number', 'mrzfield.composite': 'whole zone (composite)',
  'doc.records': 'Records',
  'doc.record': '{status} {type} {country} {number}',
  'doc.ref': 'Reference', 'doc.ref.help': 'Your own reference for it (optional).',
  'doc.issued': 'Issued', 'doc.expires': 'Expires', 'doc.reported': 'Reported lost or stolen on',
  'doc.add': 'Record a lost, stolen or revoked document',
  'doc.add.intro': 'Only agencies of the issuing country may record its documents.',
  'doc.type': 'Type of document', 'doc.status': 'What happened to it',
  'doc.add.submit': 'Record the document',
  'doc.added': 'Recorded {what} as {id}.',
  'doctype.passport': 'passport', 'doctype.id_card': 'identity card', 'doctype.visa': 'visa', 'doctype.travel_document': 'travel document',
  'doctype.residence_permit': 'residence permit', 'doctype.other': 'other document',
  'dstatus.stolen': 'stolen', 'dstatus.lost': 'lost', 'dstatus.revoked': 'revoked', 'dstatus.stolen_blank': 'stolen blank',
  'search.documents': 'Travel documents',

  'common.yes': 'yes', 'common.no': 'no', 'common.close': 'Close', 'common.more': 'More',
  'common.none': '—',
};

// The catalogues, and each one's name in its own language (shown as is in
// the language switch) and the locale its dates and numbers are written in.
// Thai dates are in the Buddhist era, as Thai officials write them.
const catalogs = { en, ms, th };
export const LANGUAGES = [['en', 'English', 'en-GB'], ['ms', 'Bahasa Melayu', 'ms-MY'], ['th', 'ไทย', 'th-TH']];
const STORE = 'simpul.lang';
let current = en;
let lang = 'en';

// Keys a page asked for that the current catalogue lacks: the browser
// tests read this list and fail on any entry.
const missing = new Set();
if (typeof window !== 'undefined') window.simpulMissingStrings = missing;

export function language() { return lang; }

export function locale() { return (LANGUAGES.find((x) => x[0] === lang) || LANGUAGES[0])[2]; }

export function setLanguage(l, persist) {
  lang = catalogs[l] ? l : 'en';
  current = catalogs[lang];
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (persist) {
    try { localStorage.setItem(STORE, lang); } catch (e) { /* private mode: this visit only */ }
  }
}

// The language kept from an earlier choice, else the browser's first
// language we have, else English.
export function initLanguage() {
  let l = null;
  try { l = localStorage.getItem(STORE); } catch (e) { /* none kept */ }
  if (!catalogs[l]) l = (navigator.languages || [navigator.language || 'en']).map((x) => String(x).slice(0, 2).toLowerCase()).find((x) => catalogs[x]);
  setLanguage(l || 'en', false);
}

function lookup(k) {
  if (current[k] !== undefined) return current[k];
  missing.add(`${lang}:${k}`);
  return en[k];
}

// The label of a code (scam type, selector role...) when there is one,
// else the code itself: codes are open-ended lists.
export function label(prefix, code) {
  const k = `${prefix}.${code}`;
  if (en[k] === undefined) return code;
  return lookup(k) ?? code;
}

export function t(key, vars) {
  let s = lookup(key) ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

// Numbers, dates and times in the reader's locale. Dates from the API are
// ISO 8601 in UTC and are shown in UTC (the node's one clock); a value
// that is not a full date (a year, a year and month) is shown as given.
export function fmtNumber(n, opts) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n ?? '');
  return n.toLocaleString(locale(), opts);
}

export function fmtDate(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return iso || t('common.none');
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

// A month 'YYYY-MM' and a day 'YYYY-MM-DD' for chart axes.
export function fmtMonth(ym) {
  if (!/^\d{4}-\d{2}$/.test(ym || '')) return ym || '';
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${ym}-01T00:00:00Z`));
}

export function fmtDay(iso) {
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso || '')) return iso || '';
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

export function fmtDateTime(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)) return fmtDate(iso);
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return t('fmt.utc', { time: new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' }).format(d) });
}
