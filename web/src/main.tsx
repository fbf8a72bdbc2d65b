/** The console's entry: the query cache, the router under /console, the app. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Router } from "wouter";
import { App } from "./App";
import "./styles.css";

const queries = new QueryClient({
  defaultOptions: {
    // Live updates come over the event stream; a refetch on focus catches up after a laptop slept.
    queries: { staleTime: 5_000, retry: (count, error) => count < 2 && (error as { status?: number }).status !== 404 },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <Router base="/console">
        <App />
      </Router>
    </QueryClientProvider>
  </StrictMode>,
);
