import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import { type ClusterOverview, ClusterService } from './cluster.service';
import { RequireRole } from '@podsync/platform';

@ApiTags('cluster')
@Controller('api/v1/cluster')
@RequireRole('reader')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  @ApiOperation({ summary: 'The leader, the replicas, the last round, paused, guarded and the pods by health' })
  @ApiResponse({ status: 200, example: EXAMPLES.cluster })
  view(): Promise<ClusterOverview> {
    return this.cluster.view();
  }
}
