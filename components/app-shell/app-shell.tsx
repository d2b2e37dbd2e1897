import type { ReactNode } from "react";
import type { ReaderTimeZone } from "@/lib/preferences/types";
import { TimeZoneProvider } from "@/components/time/local-time";
import { TimeZoneReporter } from "@/components/time/time-zone-reporter";
import { NavLinks } from "./nav-links";
import { OrgSwitcher, type OrgOption } from "./org-switcher";
import { UserMenu } from "./user-menu";

interface AppShellProps {
  org: OrgOption;
  orgs: OrgOption[];
  user: { name: string; email: string };
  timeZone: ReaderTimeZone;
  canManage: boolean;
  pendingRequests: number;
  children: ReactNode;
}

export function AppShell({ org, orgs, user, timeZone, canManage, pendingRequests, children }: AppShellProps) {
  return (
    <TimeZoneProvider zone={timeZone.zone}>
      <TimeZoneReporter refreshOnChange={timeZone.source !== "setting"} />
      <div className="flex min-h-dvh flex-col md:flex-row">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:bg-background focus:p-2">
          Skip to content
        </a>
        <aside
          aria-label="Sidebar"
          className="flex shrink-0 flex-col gap-4 border-b bg-sidebar p-3 text-sidebar-foreground md:sticky md:top-0 md:h-dvh md:w-60 md:border-r md:border-b-0"
        >
          <OrgSwitcher current={org} orgs={orgs} />
          <div className="flex-1">
            <NavLinks orgSlug={org.slug} canManage={canManage} pendingRequests={pendingRequests} />
          </div>
          <UserMenu name={user.name} email={user.email} orgSlug={org.slug} timeZone={timeZone} />
        </aside>
        <main id="main" className="min-w-0 flex-1">
          {children}
        </main>
      </div>
    </TimeZoneProvider>
  );
}
