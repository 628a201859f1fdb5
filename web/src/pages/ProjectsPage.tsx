import { useState } from 'react'
import { useAccount, useCan } from '../account.ts'
import type { Project } from '../api.ts'
import { PageHeader } from '../components/PageHeader.tsx'
import { ProjectNameDialog } from '../components/ProjectNameDialog.tsx'
import { EmptyState, ErrorState, Loading } from '../components/QueryStates.tsx'
import { ActionsHeader, RowActionButton } from '../components/TableActions.tsx'
import { DateText } from '../components/Time.tsx'
import { formatCount } from '../format.ts'
import { useProjects } from '../queries.ts'

export function ProjectsPage() {
  const { account } = useAccount()
  const canManage = useCan('settings.manage')
  const projects = useProjects(account.id)
  const [creating, setCreating] = useState(false)
  const [renaming, setRenaming] = useState<Project | null>(null)

  return (
    <>
      <PageHeader
        title="Projects"
        description="Every member of the account sees every project. Keys and webhooks belong to one project."
        actions={
          canManage ? (
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              New project
            </button>
          ) : null
        }
      />
      {projects.isPending ? (
        <Loading />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projects.data.data.length === 0 ? (
        <EmptyState title="No projects yet">
          {canManage
            ? 'Create one with New project, then create API keys for it.'
            : 'An admin can create one.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Projects</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="numeric">
                  Keys
                </th>
                <th scope="col">Created</th>
                {canManage ? <ActionsHeader /> : null}
              </tr>
            </thead>
            <tbody>
              {projects.data.data.map((project) => (
                <tr key={project.id}>
                  <td className="strong">{project.name}</td>
                  <td className="numeric">{formatCount(project.keyCount)}</td>
                  <td>
                    <DateText at={project.createdAt} />
                  </td>
                  {canManage ? (
                    <td className="actions-cell">
                      <RowActionButton
                        aria-label={`Rename ${project.name}`}
                        onClick={() => setRenaming(project)}
                      >
                        Rename
                      </RowActionButton>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating ? <ProjectNameDialog onClose={() => setCreating(false)} /> : null}
      {renaming ? <ProjectNameDialog project={renaming} onClose={() => setRenaming(null)} /> : null}
    </>
  )
}
