"use client";

import { Globe, LogOut, Monitor, Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { useState } from "react";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import type { ReaderTimeZone } from "@/lib/preferences/types";
import { signOutAction } from "./sign-out-action";
import { TimeZoneDialog } from "./time-zone-dialog";

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
}

interface UserMenuProps {
  name: string;
  email: string;
  orgSlug: string;
  timeZone: ReaderTimeZone;
}

export function UserMenu({ name, email, orgSlug, timeZone }: UserMenuProps) {
  const { theme, setTheme } = useTheme();
  const [choosingZone, setChoosingZone] = useState(false);
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" className="h-auto w-full justify-start gap-2 px-2 py-1.5" aria-label="User menu">
            <Avatar className="size-7">
              <AvatarFallback className="text-xs">{initials(name)}</AvatarFallback>
            </Avatar>
            <span className="grid min-w-0 text-left text-xs leading-tight">
              <span className="truncate font-medium">{name}</span>
              <span className="truncate text-muted-foreground">{email}</span>
            </span>
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" side="top" className="w-56">
          <DropdownMenuLabel className="font-normal">
            <span className="block truncate text-sm font-medium">{name}</span>
            <span className="block truncate text-xs text-muted-foreground">{email}</span>
          </DropdownMenuLabel>
          <DropdownMenuSeparator />
          <DropdownMenuLabel className="text-xs text-muted-foreground">Theme</DropdownMenuLabel>
          <DropdownMenuRadioGroup value={theme ?? "system"} onValueChange={setTheme}>
            <DropdownMenuRadioItem value="system">
              <Monitor className="size-4" /> System
            </DropdownMenuRadioItem>
            <DropdownMenuRadioItem value="light">
              <Sun className="size-4" /> Light
            </DropdownMenuRadioItem>
            <DropdownMenuRadioItem value="dark">
              <Moon className="size-4" /> Dark
            </DropdownMenuRadioItem>
          </DropdownMenuRadioGroup>
          <DropdownMenuSeparator />
          {/* The dialog lives outside the menu: the menu closes first, then the dialog takes focus. */}
          <DropdownMenuItem onSelect={() => setChoosingZone(true)}>
            <Globe className="size-4" />
            <span className="grid min-w-0">
              Time zone
              <span className="truncate text-xs text-muted-foreground">{timeZone.zone}</span>
            </span>
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <form action={signOutAction}>
            <DropdownMenuItem asChild>
              <button type="submit" className="w-full">
                <LogOut className="size-4" /> Sign out
              </button>
            </DropdownMenuItem>
          </form>
        </DropdownMenuContent>
      </DropdownMenu>
      <TimeZoneDialog orgSlug={orgSlug} current={timeZone} open={choosingZone} onOpenChange={setChoosingZone} />
    </>
  );
}
